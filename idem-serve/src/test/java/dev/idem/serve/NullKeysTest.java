package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spot-check's {@code null_keys}: a row another writer put into the target with a null key is
 * found (with the window that wrote it), on DuckDB and on PostgreSQL, and nothing is recorded.
 */
class NullKeysTest {
  @TempDir Path dir;

  @Test
  void aNullKeyInADuckDbTargetFailsTheSpotCheck() throws Exception {
    Path file = Orders.load(dir);
    JsonNode clean = nullKeys(Orders.served(file));
    assertThat(clean.get("status").asText()).isEqualTo("pass");
    assertThat(clean.get("detail").asText())
        .isEqualTo("no row of orders has a null in key [order_id]");
    insertNullKey(Orders.url(file));
    JsonNode found = nullKeys(Orders.served(file));
    assertThat(found.get("status").asText()).isEqualTo("fail");
    assertThat(found.get("detail").asText())
        .isEqualTo(
            "1 row of orders has a null in key [order_id]; the first written by window 2024-03-04");
  }

  @Test
  void aNullKeyInAPostgresqlTargetFailsTheSpotCheck() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Orders.load(url);
    insertNullKey(url);
    insertNullKey(url);
    ServedPipeline p =
        ServedPipeline.of(
            "orders.yaml",
            Orders.pipeline(Orders.source("second-")),
            new JdbcDestinationBinding(url, new Properties(), null));
    JsonNode found = nullKeys(p);
    assertThat(found.get("status").asText()).isEqualTo("fail");
    assertThat(found.get("detail").asText())
        .isEqualTo(
            "2 rows of orders have a null in key [order_id]; the first written by window 2024-03-04");
  }

  private static JsonNode nullKeys(ServedPipeline p) throws Exception {
    try (WebServer s =
        new WebServer(List.of(p), ServeTest.settings(ServeSettings.RawInput.SHOW)).start()) {
      JsonNode check = ServeTest.json(s, "/api/pipelines/orders/check");
      assertThat(check.get("problem").isNull()).as(check.toString()).isTrue();
      Http page = Http.get(s.port(), "/pipelines/orders/check");
      assertThat(page.body()).contains("<td>whole table</td><td>null_keys</td>");
      return check.get("results").findParents("check").stream()
          .filter(r -> r.get("check").asText().equals("null_keys"))
          .findFirst()
          .orElseThrow();
    }
  }

  /** Another writer's row, with no key: idem never writes one. */
  private static void insertNullKey(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO orders (order_id, customer, ingested_at, _idem_window)"
              + " VALUES (NULL, 'nobody', TIMESTAMP '2024-03-04 10:00:00', '2024-03-04')");
    }
  }
}
