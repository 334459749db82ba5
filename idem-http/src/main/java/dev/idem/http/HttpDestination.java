package dev.idem.http;

import dev.idem.ConfigException;
import dev.idem.connector.Secrets;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.Finding;
import dev.idem.destination.SupportsDoctor;
import dev.idem.destination.SupportsHeldRequests;
import dev.idem.destination.SupportsMerge;
import dev.idem.destination.WindowWrite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.pipeline.Pipeline;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP API as destination: one request per row. The API shares no transaction with idem, so the
 * window ledger and the sent-request ledger live in a JDBC store (the {@code ledger:} of the
 * section), which also keeps the acknowledged rows in the target table: the rows the API has.
 * Honours {@code append} and {@code merge} (the rows kept are merged by key); no replace strategy,
 * no SQL transform, no deletes.
 */
final class HttpDestination
    implements Destination, SupportsMerge, SupportsDoctor, SupportsHeldRequests {
  private final HttpConfig config;
  private final JdbcDestination store;
  private final RunServices services;
  private final Secrets secrets;
  private final SentLedger sent;
  private final Exchange exchange;
  private final RateLimit rate;
  private final String describe;

  HttpDestination(
      HttpConfig config, JdbcDestination store, RunServices services, Secrets secrets, String url) {
    this.config = config;
    this.store = store;
    this.services = services;
    this.secrets = secrets;
    this.sent = new SentLedger(store);
    this.exchange =
        new Exchange(
            HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(),
            config.timeout());
    this.rate = new RateLimit(config.ratePerSecond());
    this.describe =
        "http " + config.request().method() + " " + url + " (ledger " + store.describe() + ")";
  }

  /** The store of the ledgers and of the acknowledged rows. */
  JdbcDestination store() {
    return store;
  }

  HttpConfig config() {
    return config;
  }

  SentLedger sentLedger() {
    return sent;
  }

  RunServices services() {
    return services;
  }

  Dispatch dispatch(Lease lease) {
    return new Dispatch(config, exchange, sent, lease, services.clock(), services.sleeper(), rate);
  }

  String redact(String text) {
    return secrets.redact(Secrets.maskUrl(text));
  }

  /**
   * Why {@code r} cannot be sent (a URL that is not one, a header name or value the HTTP client
   * refuses), redacted; null when it can be. A row whose request cannot be is refused before
   * anything of it is recorded.
   */
  String unsendable(RequestSpec.Rendered r) {
    try {
      exchange.build(r, config.keyed() ? Map.of(config.keyHeader(), "0") : Map.of());
      return null;
    } catch (IllegalArgumentException e) {
      return redact(String.valueOf(e.getMessage()));
    }
  }

  /**
   * The fields a request's key is derived from: the declared ones, else the target's key columns,
   * else every staged column.
   */
  List<String> keyFields(Pipeline pipeline) {
    if (!config.keyFields().isEmpty()) {
      return config.keyFields();
    }
    KeySpec key = pipeline.target().key();
    return key != null ? key.targetColumns() : pipeline.stagedColumns().names();
  }

  @Override
  public void prepare(Pipeline pipeline) {
    check(pipeline);
    store.prepare(pipeline);
  }

  /** Refuses a placeholder or key field naming no column, at its line in the pipeline file. */
  @Override
  public void check(Pipeline pipeline) {
    List<String> columns = pipeline.stagedColumns().names();
    config.request().check(columns);
    if (config.lookup() != null) {
      config.lookup().check(columns);
    }
    for (String f : config.keyFields()) {
      if (!columns.contains(f)) {
        throw new ConfigException(
            "destination.idempotency.key.hash: '"
                + f
                + "' names no column; the columns are "
                + String.join(", ", columns));
      }
    }
  }

  @Override
  public Ledger ledger() {
    return store.ledger();
  }

  @Override
  public WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context) {
    return new HttpWindowWrite(this, store, pipeline, lease, context);
  }

  @Override
  public long rowsInTarget(Pipeline pipeline, String windowId) {
    return store.rowsInTarget(pipeline, windowId);
  }

  /**
   * Drops the kept rows and the window ledger; the sent-request ledger stays, so a full refresh
   * never sends a request again under a key it already settled.
   */
  @Override
  public void dropTarget(Pipeline pipeline) {
    store.dropTarget(pipeline);
  }

  @Override
  public String describe() {
    return describe;
  }

  /** The store's findings, and every request of unknown outcome, one finding each. */
  @Override
  public List<Finding> diagnose(Pipeline pipeline) {
    List<Finding> out = new ArrayList<>(store.diagnose(pipeline));
    if (SentLedger.exists(store)) {
      for (String r : sent.inDoubt(pipeline.name())) {
        out.add(
            Finding.report(
                "request_of_unknown_outcome",
                r.substring(0, r.indexOf(':')),
                redact(r) + ": sent, never acknowledged; the window is not done until it is"));
      }
    }
    return out;
  }

  @Override
  public String resolve(String pipeline, String key, Decision decision) {
    return redact(
        new HeldRequests(store).resolve(pipeline, key, decision, services.clock().instant()));
  }

  @Override
  public void close() {
    store.close();
  }
}
