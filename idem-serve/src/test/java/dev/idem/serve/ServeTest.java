package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page over HTTP, against a DuckDB file loaded for real (see {@link Orders}): what the pages
 * and the JSON say, what they refuse, and that they change nothing.
 */
class ServeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path file;
  static WebServer server;

  @BeforeAll
  static void start() throws Exception {
    file = Orders.load(dir);
    server =
        new WebServer(List.of(Orders.served(file)), settings(ServeSettings.RawInput.SHOW)).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static ServeSettings settings(ServeSettings.RawInput raw) {
    return settings(raw, ServeSettings.GRID_INPUT_TIMEOUT, null);
  }

  static ServeSettings settings(
      ServeSettings.RawInput raw, Duration gridInputTimeout, ServeActions actions) {
    return new ServeSettings(
        "127.0.0.1",
        0,
        ServeSettings.localHosts("127.0.0.1", List.of()),
        raw,
        Duration.ofSeconds(20),
        gridInputTimeout,
        actions,
        Orders::services);
  }

  static JsonNode json(WebServer s, String path) throws Exception {
    Http r = Http.get(s.port(), path);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.headers()).containsIgnoringCase("content-type: application/json");
    return JSON.readTree(r.body());
  }

  @Test
  void overviewCountsTheLedgersWindowsAndOpenDeadLetters() throws Exception {
    JsonNode p = json(server, "/api/pipelines").get("pipelines").get(0);
    assertThat(p.get("pipeline").asText()).isEqualTo("orders");
    assertThat(p.get("windows").asInt()).isEqualTo(5);
    assertThat(p.get("done").asInt()).isEqualTo(4);
    assertThat(p.get("failed").asInt()).isEqualTo(1);
    assertThat(p.get("open_dead_letters").asInt()).isEqualTo(3);
    assertThat(p.get("problem").isNull()).isTrue();
    Http page = Http.get(server.port(), "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("<a href=\"/pipelines/orders\">orders</a>");
  }

  @Test
  void aChangedWindowShowsItsSecondAttemptAndAFailedOneItsLettersAndTheReplayCommand()
      throws Exception {
    JsonNode changed = json(server, "/api/pipelines/orders/window?id=2024-03-02").get("window");
    assertThat(changed.get("status").asText()).isEqualTo("done");
    assertThat(changed.get("attempts").asInt()).isEqualTo(2);
    assertThat(changed.get("counts").get("updated").asInt()).isEqualTo(3);
    assertThat(changed.get("balanced").asBoolean()).isTrue();

    JsonNode failed = json(server, "/api/pipelines/orders/window?id=2024-03-05");
    assertThat(failed.get("window").get("status").asText()).isEqualTo("failed");
    // both attempts met the same two bad records: the first attempt's letters were marked replayed
    // when the second run loaded the window again
    List<String> open = new java.util.ArrayList<>();
    failed
        .get("dead_letters")
        .forEach(
            l -> {
              if (l.get("replayed_at").isNull()) {
                open.add(l.get("reason").asText());
              }
            });
    assertThat(open)
        .containsExactly("line 9: amount: not a number", "line 10: amount: not a number");
    assertThat(failed.get("dead_letters").size()).isEqualTo(4);
    assertThat(failed.get("replay_command").asText())
        .isEqualTo("idem dlq replay pipelines/orders.yaml");

    Http page = Http.get(server.port(), "/pipelines/orders/window?id=2024-03-02");
    assertThat(page.body())
        .contains(
            "read 3 = discarded 0 + dead-lettered 0 + rolled back 0 + reshaped 0 + folded 0"
                + " + inserted 0 + updated 3 + unchanged 0 + skipped 0 + deleted 0 (balances)");
  }

  @Test
  void rawInputIsShownAsTextNeverAsMarkupAndCanBeHidden() throws Exception {
    Http page = Http.get(server.port(), "/pipelines/orders/window?id=2024-03-03");
    assertThat(page.body())
        .contains("&lt;b&gt;7,&quot;unterminated&lt;/b&gt;")
        .doesNotContain(Orders.BAD_RAW);
    assertThat(page.headers()).contains("Content-Security-Policy: default-src 'none'");
    try (WebServer hidden =
        new WebServer(List.of(Orders.served(file)), settings(ServeSettings.RawInput.HIDE))
            .start()) {
      Http h = Http.get(hidden.port(), "/pipelines/orders/window?id=2024-03-03");
      assertThat(h.body())
          .contains("hidden (" + Orders.BAD_RAW.length() + " bytes)")
          .doesNotContain("unterminated&lt;");
      JsonNode letter =
          json(hidden, "/api/pipelines/orders/window?id=2024-03-03").get("dead_letters").get(0);
      assertThat(letter.get("raw").isNull()).isTrue();
      assertThat(letter.get("reason").asText()).isEqualTo("line 7: unterminated quote");
    }
  }

  @Test
  void aRequestNamingAnotherHostIsRefused() throws Exception {
    Http evil = Http.get(server.port(), "/api/pipelines", "attacker.example:" + server.port());
    assertThat(evil.status()).isEqualTo(403);
    assertThat(evil.body()).contains("not to Host 'attacker.example:").doesNotContain("orders");
    assertThat(Http.get(server.port(), "/", "localhost:" + server.port()).status()).isEqualTo(200);
    assertThat(Http.get(server.port(), "/", "LOCALHOST").status()).isEqualTo(200);
  }

  @Test
  void theSpotCheckRunsIdemChecksChecksAndRecordsNothing() throws Exception {
    long before = recordedChecks();
    JsonNode check = json(server, "/api/pipelines/orders/check");
    assertThat(check.get("problem").isNull()).as(check.toString()).isTrue();
    assertThat(check.get("results").findValuesAsText("check"))
        .contains("target_rows", "growth", "duplicate_keys", "null_keys");
    JsonNode keys =
        check.get("results").findParents("check").stream()
            .filter(r -> r.get("check").asText().equals("duplicate_keys"))
            .findFirst()
            .orElseThrow();
    assertThat(keys.get("status").asText()).isEqualTo("pass");
    assertThat(recordedChecks()).isEqualTo(before);
    Http page = Http.get(server.port(), "/pipelines/orders/check");
    assertThat(page.body()).contains("<td>duplicate_keys</td><td>pass</td>");
  }

  @Test
  void metricsAreTheLedgersGaugesInPrometheusTextFormat() throws Exception {
    Http m = Http.get(server.port(), "/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.headers()).contains("Content-Type: text/plain; version=0.0.4; charset=utf-8");
    assertThat(m.body().lines())
        .contains(
            "# TYPE idem_ledger_windows gauge",
            "idem_ledger_up{pipeline=\"orders\"} 1.0",
            "idem_ledger_windows{pipeline=\"orders\",status=\"done\"} 4.0",
            "idem_ledger_windows{pipeline=\"orders\",status=\"failed\"} 1.0",
            "idem_ledger_windows{pipeline=\"orders\",status=\"stale\"} 0.0",
            "idem_ledger_open_dead_letters{pipeline=\"orders\"} 3.0",
            "idem_ledger_rows_in_target{pipeline=\"orders\"} 12.0",
            "idem_ledger_failed_checks{pipeline=\"orders\"} 0.0")
        .anyMatch(
            l ->
                l.matches(
                    "idem_ledger_last_finished_timestamp_seconds\\{pipeline=\"orders\"\\}"
                        + " [0-9]{10}\\.[0-9]{3}"));
    assertThat(Http.get(server.port(), "/metrics", "attacker.example").status()).isEqualTo(403);
    assertThat(Metrics.label("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
  }

  @Test
  void unknownPipelinesAndWindowsAreMessagesNotErrors() throws Exception {
    Http p = Http.get(server.port(), "/pipelines/nope");
    assertThat(p.status()).isEqualTo(404);
    assertThat(p.body()).contains("no pipeline named nope is served here");
    Http w = Http.get(server.port(), "/pipelines/orders/window?id=2031-01-01");
    assertThat(w.body()).contains("window 2031-01-01 is not in the ledger of orders");
  }

  private static long recordedChecks() throws Exception {
    Properties ro = new Properties();
    ro.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection(Orders.url(file), ro);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM _idem.checks")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
