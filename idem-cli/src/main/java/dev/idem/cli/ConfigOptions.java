package dev.idem.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options that shape how the pipeline file is read and the destination opened. */
final class ConfigOptions {
  @Option(
      names = "--set",
      paramLabel = "PATH=VALUE",
      description =
          "Override a field of the pipeline file before it is checked, e.g. --set target.table=orders_v2. Repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--lock-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = {
        "How long to wait for a lock another runner holds (default: ${DEFAULT-VALUE}): a DuckDB file held by another process",
        "(counted from the command's start, the time spent listing the input's windows included),",
        "and, at the end of run and backfill, the windows another runner was loading: one it finishes in that time counts as",
        "done; one still held after it is not done (exit 1 or 3); one whose runner is gone is loaded by this run."
      })
  Duration lockTimeout;
}
