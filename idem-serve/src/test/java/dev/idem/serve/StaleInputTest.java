package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stale-input marker: each done window's input fingerprinted again by the runner's code and
 * compared with its ledger row's, on the grid (within its time limit) and on a window's page.
 */
class StaleInputTest {
  @TempDir static Path dir;
  static Path file;

  @BeforeAll
  static void load() throws Exception {
    file = Orders.load(dir);
  }

  @AfterAll
  static void done() {
    RELEASE.countDown();
  }

  static ServedPipeline served(Source source) {
    return ServedPipeline.of(
        "pipelines/orders.yaml",
        Orders.pipeline(source),
        new JdbcDestinationBinding(Orders.url(file), new Properties(), file));
  }

  static ServeSettings settings(Duration gridLimit) {
    return ServeTest.settings(ServeSettings.RawInput.SHOW, gridLimit, null);
  }

  @Test
  void aWindowWhoseInputChangedSinceItsLoadIsMarkedStaleOnTheGridTheWindowAndInJson()
      throws Exception {
    // the ledger holds day 2 as loaded from "second-" customers; the input now says "third-"
    try (WebServer server =
        new WebServer(List.of(served(Orders.source("third-"))), settings(Duration.ofSeconds(60)))
            .start()) {
      JsonNode p = ServeTest.json(server, "/api/pipelines/orders");
      assertThat(p.get("input_changed").asInt()).isEqualTo(1);
      assertThat(p.get("input_check_cut").asBoolean()).isFalse();
      for (JsonNode w : p.get("windows")) {
        String id = w.get("window").asText();
        JsonNode in = w.get("input");
        String expected =
            id.equals("2024-03-02")
                ? "changed"
                : id.equals("2024-03-05") ? "not checked" : "unchanged";
        assertThat(in.get("state").asText()).as(id).isEqualTo(expected);
        assertThat(in.get("stale").asBoolean()).as(id).isEqualTo(id.equals("2024-03-02"));
        assertThat(in.get("fingerprint_age_seconds").asLong()).as(id).isGreaterThanOrEqualTo(0);
      }
      Http grid = Http.get(server.port(), "/pipelines/orders");
      assertThat(grid.body())
          .contains(
              "class=\"cell s-done input-changed\" href=\"/pipelines/orders/window?id=2024-03-02\"")
          .contains("aria-label=\"2024-03-02: done, input changed since the load\"")
          .contains("aria-label=\"2024-03-01: done\"")
          .contains("Input: 1 done windows whose input changed since their load (stale), of 4");
      Http window = Http.get(server.port(), "/pipelines/orders/window?id=2024-03-02");
      assertThat(window.body())
          .contains("<td>input now</td><td>changed since the load (stale): now ")
          .contains("<td>input fingerprint age</td>");
      Http same = Http.get(server.port(), "/pipelines/orders/window?id=2024-03-01");
      assertThat(same.body()).contains("<td>input now</td><td>unchanged since the load</td>");
    }
  }

  @Test
  void anInputThatCannotBeFingerprintedInTimeLeavesTheGridUncheckedNotWaiting() throws Exception {
    Source blocked = new Blocking(Orders.source("second-"));
    try (WebServer server =
        new WebServer(List.of(served(blocked)), settings(Duration.ofMillis(200))).start()) {
      JsonNode p = ServeTest.json(server, "/api/pipelines/orders");
      assertThat(p.get("input_check_cut").asBoolean()).isTrue();
      assertThat(p.get("windows").findValuesAsText("state")).containsOnly("not checked");
      assertThat(p.get("windows").get(0).get("input").get("detail").asText())
          .isEqualTo("time limit of 200 ms");
      Http grid = Http.get(server.port(), "/pipelines/orders");
      assertThat(grid.status()).isEqualTo(200);
      assertThat(grid.body()).contains("the rest not checked (the grid waits at most");
    }
  }

  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  /** A source whose input cannot be read until the test ends (a directory too large to hash). */
  private record Blocking(ListSource inner) implements Source {
    @Override
    public Schema schema() {
      return inner.schema();
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return inner.windows(spec);
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      return inner.read(spec, window);
    }

    @Override
    public Optional<String> fingerprint(WindowSpec spec, Window window) {
      try {
        RELEASE.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.of("never");
    }

    @Override
    public String describe() {
      return inner.describe();
    }
  }
}
