package dev.idem.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options that shape how the pipeline file is read and the destination opened. */
final class ConfigOptions {
  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a field of the pipeline file before it is checked, e.g. --set target.table=orders_v2. Repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "How long to wait for a DuckDB file held by another process (default: ${DEFAULT-VALUE}).")
  Duration lockTimeout;
}
