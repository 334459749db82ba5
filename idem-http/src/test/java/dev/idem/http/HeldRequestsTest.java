package dev.idem.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.destination.SupportsHeldRequests.Decision;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals of {@code idem resolve} that the command-line tests do not reach. */
class HeldRequestsTest {
  private static final Instant NOW = Instant.parse("2024-05-02T00:00:00Z");

  @TempDir Path dir;

  private JdbcDestination ledger() {
    JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve("ledger.duckdb"),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5));
    d.prepare(
        Pipeline.builder("p")
            .source(new ListSource(Schema.of(Column.of("at", DataType.TIMESTAMP))))
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .table("t")
            .key(KeySpec.columns("at"))
            .strategy(WriteStrategy.MERGE)
            .build());
    return d;
  }

  private static void held(JdbcDestination d, String key, String window) {
    TableSnapshot.execute(
        d,
        "INSERT INTO _idem.http_requests (pipeline, request_key, window_id, token, phase,"
            + " payload_hash, method, url, sends, planned_at_ms, first_sent_at_ms) VALUES ('p', '"
            + key
            + "', '"
            + window
            + "', 1, 'unknown', 'h', 'POST', 'http://localhost/api', 1, 0, 0)");
  }

  @Test
  void aStartOfAKeyNamingSeveralHeldRequestsIsRefusedAndNothingIsRecorded() {
    try (JdbcDestination d = ledger()) {
      held(d, "abc1", "2024-05-01");
      held(d, "abc2", "2024-05-01");
      HeldRequests requests = new HeldRequests(d);
      assertThatThrownBy(() -> requests.resolve("p", "abc", Decision.SENT, NOW))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "--request: 2 requests in doubt have keys starting with abc; give more of the key");
      assertThat(d.tableRows("_idem.http_requests")).allMatch(r -> r.contains("phase=unknown"));
      assertThat(requests.resolve("p", "abc2", Decision.SENT, NOW))
          .contains("key abc2: resolved as sent");
      assertThat(d.tableRows("_idem.http_requests"))
          .filteredOn(r -> r.contains("phase=acked"))
          .singleElement()
          .asString()
          .contains("request_key=abc2");
    }
  }

  @Test
  void aRequestWhoseWindowIsRunningIsRefusedAndNothingIsRecorded() {
    try (JdbcDestination d = ledger()) {
      held(d, "def1", "2024-05-01");
      TableSnapshot.execute(
          d,
          "INSERT INTO _idem.windows (pipeline, window_id, status, token) VALUES ('p',"
              + " '2024-05-01', 'RUNNING', 2)");
      List<String> before = d.tableRows("_idem.http_requests");
      assertThatThrownBy(() -> new HeldRequests(d).resolve("p", "def1", Decision.NOT_SENT, NOW))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("window 2024-05-01 of request def1 is running");
      assertThat(d.tableRows("_idem.http_requests")).isEqualTo(before);
    }
  }
}
