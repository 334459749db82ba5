package dev.idem.http;

import dev.idem.IdemException;
import dev.idem.http.HttpConfig.Recovery;
import dev.idem.http.SentLedger.Phase;
import dev.idem.ledger.Lease;
import dev.idem.retry.Sleeper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends one window's requests through the sent ledger's phases, {@code concurrency} at a time under
 * the rate limit. A request is marked sent before it leaves; its response settles it (acknowledged,
 * dead, or back to planned for 429 and 503 after {@code Retry-After}); a request whose outcome is
 * unknown (timeout, reset, another 5xx) is recovered as the section says: sent again with the same
 * key within {@code key_ttl}, looked up, or held. What is still unsettled after a few tries is left
 * for the window's next attempt.
 */
final class Dispatch {
  private static final int TRIES = 6;
  private static final Duration FIRST_WAIT = Duration.ofMillis(100);
  private static final Duration MAX_WAIT = Duration.ofMinutes(2);

  /** One request of the window: its rendered request, its lookup if any, and its ledger entry. */
  record Item(
      String key,
      RequestSpec.Rendered request,
      RequestSpec.Rendered lookup,
      SentLedger.Entry entry) {}

  /** Where a request ended: its phase, and the response that settled it if any. */
  record Settled(Phase phase, Integer status, String response) {}

  private final HttpConfig config;
  private final Exchange exchange;
  private final SentLedger ledger;
  private final Lease lease;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RateLimit rate;

  /** The outcomes recorded with {@link SentLedger#settleLater}, made durable at the end of run. */
  private final Queue<GroupCommit.Ticket> later = new ConcurrentLinkedQueue<>();

  Dispatch(
      HttpConfig config,
      Exchange exchange,
      SentLedger ledger,
      Lease lease,
      Clock clock,
      Sleeper sleeper,
      RateLimit rate) {
    this.config = config;
    this.exchange = exchange;
    this.ledger = ledger;
    this.lease = lease;
    this.clock = clock;
    this.sleeper = sleeper;
    this.rate = rate;
  }

  Map<String, Settled> run(List<Item> items) {
    Map<String, Settled> out = new HashMap<>();
    if (items.isEmpty()) {
      return out;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(config.concurrency(), items.size()));
    try {
      List<Callable<Settled>> tasks = new ArrayList<>();
      for (Item it : items) {
        tasks.add(() -> one(it));
      }
      List<Future<Settled>> done = pool.invokeAll(tasks);
      for (int i = 0; i < items.size(); i++) {
        out.put(items.get(i).key(), result(done.get(i)));
      }
      // the responses recorded without waiting: durable before any of them counts
      ledger.durable(lease, List.copyOf(later));
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while sending requests", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Settled result(Future<Settled> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // a fenced ledger write, or the store failing: the window's attempt fails with it
      }
      throw new IdemException("sending a request failed: " + e.getCause(), e.getCause());
    }
  }

  private Settled one(Item it) throws InterruptedException {
    Phase phase = it.entry().phase();
    if (phase == Phase.UNKNOWN) {
      return new Settled(Phase.UNKNOWN, it.entry().status(), it.entry().response());
    }
    Instant firstSent = it.entry().firstSentAt();
    Duration wait = FIRST_WAIT;
    Map<String, String> keyHeader =
        config.keyed() ? Map.of(config.keyHeader(), it.key()) : Map.of();
    // built before anything is recorded: the window's prepare checked that it can be
    HttpRequest request = exchange.build(it.request(), keyHeader);
    for (int attempt = 0; attempt < TRIES; attempt++) {
      if (attempt > 0) {
        sleeper.sleep(wait);
        wait = capped(wait.multipliedBy(2));
      }
      if (phase == Phase.SENT) {
        Settled recovered = recover(it, firstSent);
        if (recovered != null) {
          return recovered;
        }
      }
      rate.acquire(sleeper);
      Instant now = clock.instant();
      ledger.sent(lease, it.key(), now);
      phase = Phase.SENT;
      Instant sentBefore = firstSent;
      firstSent = firstSent == null ? now : firstSent;
      Exchange.Response r;
      try {
        r = exchange.send(request, now);
      } catch (ConnectException | HttpConnectTimeoutException e) {
        // no connection was made, so nothing left: planned again, not in doubt, and the key's
        // lifetime not started by it
        ledger.notSent(lease, it.key());
        phase = Phase.PLANNED;
        firstSent = sentBefore;
        continue;
      } catch (IOException e) {
        continue; // unknown: recovered at the top of the next try
      }
      switch (r.verdict()) {
        case ACKNOWLEDGED -> {
          return settle(it.key(), Phase.ACKED, r);
        }
        case REFUSED -> {
          return settle(it.key(), Phase.DEAD, r);
        }
        case NOT_NOW -> {
          settle(it.key(), Phase.PLANNED, r);
          phase = Phase.PLANNED;
          wait = r.retryAfter().map(Dispatch::capped).orElse(wait);
        }
        case IN_FLIGHT -> {
          if (!config.keyed()) {
            // without a key, 409 says the effect conflicts with one already there: never re-sent
            return settle(it.key(), Phase.DEAD, r);
          }
          wait = r.retryAfter().map(Dispatch::capped).orElse(wait);
        }
        case UNKNOWN -> {
          // a 5xx: the effect may have happened; recovered at the top of the next try
        }
      }
    }
    return new Settled(phase, null, null);
  }

  /**
   * A request sent and never answered: settled as the API allows, or null to send it (again).
   * Without keys it is never sent blindly: a lookup says whether its effect happened, or it is
   * held.
   */
  private Settled recover(Item it, Instant firstSent) throws InterruptedException {
    switch (config.recovery()) {
      case HOLD -> {
        return settle(it.key(), Phase.UNKNOWN, null, "sent, no response: held (recovery: hold)");
      }
      case RESEND -> {
        if (firstSent != null && clock.instant().isAfter(firstSent.plus(config.keyTtl()))) {
          return settle(
              it.key(),
              Phase.UNKNOWN,
              null,
              "sent, no response, and the key's lifetime (key_ttl "
                  + config.keyTtl()
                  + ") is over");
        }
        return null;
      }
      case LOOKUP -> {
        rate.acquire(sleeper);
        Exchange.Response r;
        try {
          r = exchange.send(exchange.build(it.lookup(), Map.of()), clock.instant());
        } catch (IOException e) {
          return new Settled(Phase.SENT, null, null);
        }
        if (r.status() >= 200 && r.status() < 300) {
          return settle(it.key(), Phase.ACKED, r);
        }
        return r.status() == 404 || r.status() == 410 ? null : new Settled(Phase.SENT, null, null);
      }
    }
    throw new AssertionError(config.recovery());
  }

  /**
   * A wait between tries: at least the first one (a {@code Retry-After: 0} or a date past does not
   * make every later try immediate), at most {@link #MAX_WAIT}.
   */
  static Duration capped(Duration wait) {
    return wait.compareTo(FIRST_WAIT) < 0
        ? FIRST_WAIT
        : wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
  }

  private Settled settle(String key, Phase phase, Exchange.Response r) {
    return settle(key, phase, r.status(), r.body());
  }

  private Settled settle(String key, Phase phase, Integer status, String response) {
    if ((phase == Phase.ACKED || phase == Phase.DEAD) && config.recovery() != Recovery.HOLD) {
      // With a key or a lookup, a response lost in a crash leaves the request sent, and its
      // recovery sends it again with the same key or asks the lookup: the worker need not wait for
      // the commit. The window's commit waits for it (run makes every one durable first).
      later.add(ledger.settleLater(lease, key, phase, status, response, clock.instant()));
    } else {
      ledger.settle(lease, key, phase, status, response, clock.instant());
    }
    return new Settled(phase, status, response);
  }
}
