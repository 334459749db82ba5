package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The same pages on PostgreSQL: every connection read-only, the ledger read as it is, the
 * spot-check computed without a write (a READ ONLY transaction would refuse one).
 */
class PostgresServeTest {
  @Test
  void thePagesReadAPostgresqlLedgerReadOnly() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Orders.load(url);
    ServedPipeline p =
        ServedPipeline.of(
            "orders.yaml",
            Orders.pipeline(Orders.source("second-")),
            new JdbcDestinationBinding(url, new Properties(), null));
    try (WebServer s =
        new WebServer(List.of(p), ServeTest.settings(ServeSettings.RawInput.SHOW)).start()) {
      JsonNode overview = ServeTest.json(s, "/api/pipelines").get("pipelines").get(0);
      assertThat(overview.get("done").asInt()).isEqualTo(4);
      assertThat(overview.get("failed").asInt()).isEqualTo(1);
      assertThat(overview.get("open_dead_letters").asInt()).isEqualTo(3);
      JsonNode window = ServeTest.json(s, "/api/pipelines/orders/window?id=2024-03-02");
      assertThat(window.get("window").get("attempts").asInt()).isEqualTo(2);
      JsonNode check = ServeTest.json(s, "/api/pipelines/orders/check");
      assertThat(check.get("problem").isNull()).as(check.toString()).isTrue();
      assertThat(check.get("results").findValuesAsText("status")).isNotEmpty().containsOnly("pass");
      Http grid = Http.get(s.port(), "/pipelines/orders");
      assertThat(grid.body()).contains("title=\"2024-03-05: failed\"");
    }
  }
}
