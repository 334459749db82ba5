package dev.idem.http;

import dev.idem.IdemException;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsHeldRequests.Decision;
import dev.idem.http.SentLedger.Phase;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeyEncoding;
import dev.idem.ledger.Lease;
import dev.idem.notify.Notifier;
import dev.idem.notify.OutboxEntry;
import dev.idem.notify.OutboxEntry.Event;
import dev.idem.notify.SupportsOutbox;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Delivers a destination's outbox entries to the {@code notify:} hooks through the sent-request
 * ledger ({@code _idem.http_requests} of the destination's own database). Each (hook, entry) is one
 * request whose key is derived from the pipeline, the hook, the window and its input fingerprint (a
 * failure: the failed attempt's lease token), sent with that key in the hook's idempotency header:
 * a re-run of an unchanged window commits nothing and so sends nothing, a changed window commits a
 * new entry under a new key, and a delivery interrupted by a crash is sent again with the same key.
 * An entry is marked delivered once every hook acknowledged or refused it.
 */
final class NotifyHooks implements Notifier {
  /** The placeholders a hook may use. */
  static final List<String> PLACEHOLDERS =
      List.of(
          "window",
          "status",
          "inserted",
          "updated",
          "deleted",
          "dead_letters",
          "pipeline",
          "error");

  private static final Duration KEY_TTL = Duration.ofHours(24);

  /** One hook: its request, the events it wants, its key header and timeout. */
  record Hook(int index, RequestSpec request, Set<Event> on, String keyHeader, Duration timeout) {
    HttpConfig config() {
      return new HttpConfig(
          request, keyHeader, List.of(), KEY_TTL, HttpConfig.Recovery.RESEND, null, 1, 0, timeout);
    }
  }

  private final List<Hook> hooks;

  NotifyHooks(List<Hook> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  @Override
  public Set<Event> events() {
    Set<Event> out = EnumSet.noneOf(Event.class);
    hooks.forEach(h -> out.addAll(h.on()));
    return out;
  }

  @Override
  public Delivery deliver(Destination destination, String pipeline, RunServices services) {
    if (!(destination instanceof SupportsOutbox outbox)
        || !(destination instanceof JdbcDestination store)) {
      throw new IdemException(
          "notify: destination "
              + destination.describe()
              + " keeps no outbox; notify: works with the JDBC destinations (DuckDB, PostgreSQL)");
    }
    SentLedger sent = SentLedger.unfenced(store);
    int delivered = 0;
    int refused = 0;
    int pending = 0;
    int held = 0;
    for (OutboxEntry entry : outbox.undelivered(pipeline)) {
      boolean settled = true;
      for (Hook hook : hooks) {
        if (!hook.on().contains(entry.event())) {
          continue;
        }
        Phase phase = send(sent, hook, entry, services);
        refused += phase == Phase.DEAD ? 1 : 0;
        held += phase == Phase.UNKNOWN ? 1 : 0;
        settled &= phase == Phase.ACKED || phase == Phase.DEAD;
      }
      if (settled) {
        outbox.delivered(entry);
        delivered++;
      } else {
        pending++;
      }
    }
    return new Delivery(delivered, refused, pending, held);
  }

  @Override
  public List<String> held(Destination destination, String pipeline) {
    if (!(destination instanceof JdbcDestination store) || !SentLedger.exists(store)) {
      return List.of();
    }
    return SentLedger.unfenced(store).inDoubt(pipeline).stream()
        .filter(r -> r.endsWith("(unknown)"))
        .map(Secrets::maskUrl)
        .toList();
  }

  @Override
  public String resolve(
      Destination destination, String pipeline, String key, Decision decision, Instant now) {
    if (!(destination instanceof JdbcDestination store)) {
      return Notifier.super.resolve(destination, pipeline, key, decision, now);
    }
    return Secrets.maskUrl(new HeldRequests(store).resolve(pipeline, key, decision, now));
  }

  /** Sends one entry to one hook, unless the ledger says it was settled already. */
  private static Phase send(SentLedger sent, Hook hook, OutboxEntry entry, RunServices services) {
    String key = key(hook, entry);
    RequestSpec.Rendered r = hook.request().render(values(entry)::get);
    // the key is the notification's identity: a forced re-load of the same input has other counts
    // but is the same notification, never a "changed payload under the same key"
    Lease lease =
        new Lease(entry.pipeline(), entry.windowId(), services.owner(), entry.token(), null, null);
    SentLedger.Entry e =
        sent.plan(
                lease,
                List.of(new SentLedger.Planned(key, key, r.method(), r.url(), r.body())),
                services.clock().instant())
            .get(key);
    if (e.settled()) {
      return e.phase();
    }
    Exchange exchange =
        new Exchange(
            HttpClient.newBuilder()
                .connectTimeout(hook.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(),
            hook.timeout());
    Dispatch dispatch =
        new Dispatch(
            hook.config(),
            exchange,
            sent,
            lease,
            services.clock(),
            services.sleeper(),
            new RateLimit(0));
    return dispatch.run(List.of(new Dispatch.Item(key, r, null, e))).get(key).phase();
  }

  static String key(Hook hook, OutboxEntry entry) {
    return KeyEncoding.sha256Hex(
        entry.pipeline(),
        "notify",
        (long) hook.index(),
        entry.windowId(),
        entry.event().label(),
        entry.event() == Event.SUCCESS && entry.fingerprint() != null
            ? entry.fingerprint()
            : Long.toString(entry.token()));
  }

  private static Map<String, Object> values(OutboxEntry e) {
    Map<String, Object> v = new HashMap<>();
    v.put("window", e.windowId());
    v.put("status", e.event().label());
    v.put("inserted", e.inserted());
    v.put("updated", e.updated());
    v.put("deleted", e.deleted());
    v.put("dead_letters", e.deadLetters());
    v.put("pipeline", e.pipeline());
    v.put("error", e.error());
    return v;
  }
}
