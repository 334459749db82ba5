package dev.idem.cli;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where a run's metrics go (its lineage is the pipeline file's {@code lineage:} section). */
final class ObserveOptions {
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description = {
        "Serve Prometheus metrics on http://HOST:PORT/metrics while the run lasts (for --follow and long runs).",
        "The metrics are listed in docs/operations.md."
      })
  Integer metricsPort;

  @Option(
      names = "--metrics-push",
      paramLabel = "URL",
      description = {
        "When the run ends, push its metrics to this Prometheus Pushgateway (PUT URL/metrics/job/idem/pipeline/NAME).",
        "A failed push is a warning, not a failed run."
      })
  URI metricsPush;
}
