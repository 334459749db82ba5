package dev.idem.cli.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.source.PartitionLag;
import dev.idem.window.Window;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The scrape endpoint serves what the listener counted while the run goes on (what a {@code
 * --follow} run shows Prometheus), including the events a batch test cannot provoke on demand:
 * retries, unknown commits, lease takeovers.
 */
class MetricsEndpointTest {
  private static final Window DAY = Window.batch("2024-03-01");

  private static WindowState running(String owner) {
    Instant t = Instant.parse("2024-03-01T00:00:00Z");
    return new WindowState(
        "p",
        DAY.id(),
        WindowStatus.RUNNING,
        null,
        null,
        WindowCounts.NONE,
        "r0",
        null,
        1,
        owner,
        7,
        t,
        t,
        null,
        null,
        null,
        null);
  }

  private static String get(URI uri) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode()
        + " "
        + r.headers().firstValue("Content-Type").orElse("")
        + "\n"
        + r.body();
  }

  @Test
  void servesTheCountsOfTheWindowsSoFar() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("pipeline", "metered");
    Clock clock = Clock.fixed(Instant.parse("2024-03-01T00:00:00Z"), ZoneOffset.UTC);
    RunMetrics metrics = new RunMetrics(registry, clock);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
      URI base = URI.create("http://127.0.0.1:" + endpoint.port());
      metrics.started(DAY);
      // a lease whose previous row was another owner's running one: taken over
      metrics.claimed(DAY, new Lease("p", DAY.id(), "me", 8, null, running("zombie")));
      metrics.claimed(DAY, new Lease("p", DAY.id(), "me", 9, null, null));
      metrics.retrying(DAY, 1, new IllegalStateException("connection reset"));
      metrics.commitResolved(DAY, true);
      // each round's report replaces the partition's last one
      metrics.lag(new PartitionLag("orders", 2, 40));
      // through RunListeners, as the CLI hands the metrics to the runner beside its progress lines
      RunListeners.of(RunListener.NONE, metrics).lag(new PartitionLag("orders", 2, 17));
      metrics.lag(new PartitionLag("orders", 0, 0));
      metrics.finished(
          new WindowOutcome(
              DAY,
              WindowOutcome.Result.LOADED,
              new WindowCounts(5, 0, 1, 0, 1, 2, 1, 0, 0, 0, 0, 3),
              2,
              "loaded"));
      String body = get(base.resolve("/metrics"));
      assertThat(body).startsWith("200 text/plain; version=0.0.4");
      assertThat(body)
          .contains(
              "idem_rows_total{outcome=\"inserted\",pipeline=\"metered\"} 2.0",
              "idem_rows_total{outcome=\"updated\",pipeline=\"metered\"} 1.0",
              "idem_rows_total{outcome=\"folded\",pipeline=\"metered\"} 1.0",
              "idem_rows_total{outcome=\"dead_lettered\",pipeline=\"metered\"} 1.0",
              "idem_rows_read_total{pipeline=\"metered\"} 5.0",
              "idem_windows_total{pipeline=\"metered\",result=\"loaded\"} 1.0",
              "idem_retries_total{pipeline=\"metered\"} 1.0",
              "idem_lease_takeovers_total{pipeline=\"metered\"} 1.0",
              "idem_commit_unknown_total{pipeline=\"metered\",resolution=\"committed\"} 1.0",
              "idem_window_duration_seconds_count{pipeline=\"metered\",result=\"loaded\"} 1",
              "idem_kafka_lag_records{partition=\"2\",pipeline=\"metered\",topic=\"orders\"} 17.0",
              "idem_kafka_lag_records{partition=\"0\",pipeline=\"metered\",topic=\"orders\"} 0.0");
      assertThat(get(base.resolve("/other"))).startsWith("404");
    }
  }
}
