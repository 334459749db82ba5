package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's metrics pushed to a Pushgateway stand-in, with the names docs/operations.md lists. */
class MetricsTest {
  private static final String HEADER = "order_id,customer,amount,ingested_at\n";
  private static final String TWO_DAYS =
      "1,ada,10.00,2024-03-01 08:00:00\n"
          + "2,bob,5.00,2024-03-01 09:00:00\n"
          + "2,bob,6.00,2024-03-01 09:30:00\n"
          + "3,cyd,3.00,2024-03-02 08:00:00\n";

  @TempDir Path dir;

  private Path pipeline(String csv) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/orders.csv"), HEADER + csv, StandardCharsets.UTF_8);
    Path p = dir.resolve("pipeline.yaml");
    String url = "\"jdbc:duckdb:" + dir.resolve("m.duckdb") + "\"";
    Files.writeString(p, OrdersPipeline.yaml("metered", "data/*.csv", "amount", url, ""));
    return p;
  }

  /** The value of the sample of {@code name} whose labels include {@code label}. */
  static double sample(String exposition, String name, String label) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
            .matcher(exposition);
    while (m.find()) {
      if (m.group(1).contains(label) && m.group(1).contains("pipeline=\"metered\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no sample " + name + "{" + label + "} in:\n" + exposition);
  }

  @Test
  void aBatchRunPushesItsCountsToThePushgateway() throws Exception {
    Path p = pipeline(TWO_DAYS);
    try (Receiver gateway = new Receiver()) {
      Cli.Result r = Cli.run("run", p.toString(), "--metrics-push", gateway.url());
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      List<Receiver.Request> pushes = gateway.requests();
      assertThat(pushes).hasSize(1);
      assertThat(pushes.get(0).method()).isEqualTo("PUT");
      assertThat(pushes.get(0).path()).isEqualTo("/metrics/job/idem/pipeline/metered");
      String body = pushes.get(0).body();
      // 4 records: 3 keys inserted, the older version of order 2 folded in its window
      assertThat(sample(body, "idem_rows_read_total", "")).isEqualTo(4);
      assertThat(sample(body, "idem_rows_total", "outcome=\"inserted\"")).isEqualTo(3);
      assertThat(sample(body, "idem_rows_total", "outcome=\"folded\"")).isEqualTo(1);
      assertThat(sample(body, "idem_rows_total", "outcome=\"dead_lettered\"")).isZero();
      assertThat(sample(body, "idem_windows_total", "result=\"loaded\"")).isEqualTo(2);
      assertThat(sample(body, "idem_window_duration_seconds_count", "result=\"loaded\""))
          .isEqualTo(2);
      assertThat(sample(body, "idem_run_duration_seconds_count", "result=\"ok\"")).isEqualTo(1);
      // the rare events are there at 0 before they first happen
      assertThat(sample(body, "idem_retries_total", "")).isZero();
      assertThat(sample(body, "idem_lease_takeovers_total", "")).isZero();
      assertThat(sample(body, "idem_commit_unknown_total", "resolution=\"committed\"")).isZero();

      // the second run finds both windows unchanged; its push replaces the first run's group
      assertThat(Cli.run("run", p.toString(), "--metrics-push", gateway.url()).exit()).isZero();
      String second = gateway.requests().get(1).body();
      assertThat(sample(second, "idem_windows_total", "result=\"unchanged\"")).isEqualTo(2);
      assertThat(sample(second, "idem_rows_total", "outcome=\"inserted\"")).isZero();
    }
  }

  @Test
  void aFailedWindowCountsItsDeadLettersAndTheRunsResult() throws Exception {
    Path p = pipeline(TWO_DAYS + "4,dee,abc,2024-03-02 09:00:00\n");
    try (Receiver gateway = new Receiver()) {
      Cli.Result r = Cli.run("run", p.toString(), "--metrics-push", gateway.url());
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.PARTLY_FAILED);
      String body = gateway.requests().get(0).body();
      assertThat(sample(body, "idem_windows_total", "result=\"failed\"")).isEqualTo(1);
      assertThat(sample(body, "idem_windows_total", "result=\"loaded\"")).isEqualTo(1);
      assertThat(sample(body, "idem_rows_total", "outcome=\"dead_lettered\"")).isEqualTo(1);
      assertThat(sample(body, "idem_rows_total", "outcome=\"rolled_back\"")).isEqualTo(1);
      assertThat(sample(body, "idem_run_duration_seconds_count", "result=\"partly_failed\""))
          .isEqualTo(1);
    }
  }

  @Test
  void aPushgatewayThatIsDownIsAWarningNotAFailedRun() throws Exception {
    Path p = pipeline(TWO_DAYS);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Cli.Result r = Cli.run("run", p.toString(), "--metrics-push", "http://127.0.0.1:" + closed);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.err())
        .contains("idem: warning: metrics: could not push to the Pushgateway: http://127.0.0.1:");
  }
}
