package dev.idem.http;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.testkit.contract.DestinationContractSuite;
import dev.idem.testkit.http.ApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination contract on the HTTP destination, against the in-process API server with Stripe's
 * key semantics: one request per row, keyed by every field of the row, so a changed row is a new
 * request rather than a key reused with another payload. The rows the suite reads are the
 * acknowledged rows the destination keeps in its ledger store's target table, which is what the API
 * holds. The replace strategies are refused, each with its reason, and the cases about deletes are
 * skipped (the destination keeps none, and refuses them: checked); everything else runs for real.
 */
class HttpContractTest extends DestinationContractSuite {
  @TempDir Path dir;

  private final ApiServer api;
  private final AtomicInteger ledgers = new AtomicInteger();
  private final Map<Destination, Map<String, Object>> sections = new ConcurrentHashMap<>();

  HttpContractTest() {
    try {
      api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  void stopServer() {
    api.close();
  }

  @Override
  protected Map<WriteStrategy, String> refusedStrategies() {
    String sent = "an API's effects cannot be taken back: a window's earlier requests stay sent";
    return Map.of(WriteStrategy.REPLACE_WINDOW, sent, WriteStrategy.REPLACE_TABLE, sent);
  }

  @Override
  protected Destination newDestination(RunServices services) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "http");
    s.put(
        "request",
        Map.of(
            "method",
            "POST",
            "url",
            api.url(),
            "body",
            Map.of("id", "{{order_id}}", "at", "{{ingested_at}}")));
    s.put(
        "idempotency",
        Map.of(
            "header",
            "Idempotency-Key",
            "key",
            Map.of("hash", List.of("order_id", "ingested_at"))));
    s.put("concurrency", 4);
    s.put("timeout", "5s");
    s.put(
        "ledger", "jdbc:duckdb:" + dir.resolve("ledger-" + ledgers.incrementAndGet() + ".duckdb"));
    return open(s, services);
  }

  private Destination open(Map<String, Object> section, RunServices services) {
    var binding =
        new HttpDestinationFactory()
            .bind(
                ConfigNode.Mapping.of("pipeline.yaml", section),
                new ConnectorContext(dir, "orders", n -> null, new Secrets()));
    Destination d = binding.open(services, Duration.ofSeconds(5));
    sections.put(d, section);
    return d;
  }

  @Override
  protected Destination reopen(Destination destination, RunServices services) {
    return open(sections.get(destination), services);
  }

  @Override
  protected List<String> rows(Destination destination, String table) {
    return TableSnapshot.rows(((HttpDestination) destination).store(), table);
  }

  @Override
  protected void deleteRowsOf(Destination destination, String table, String windowId) {
    TableSnapshot.deleteWindow(((HttpDestination) destination).store(), table, windowId);
  }
}
