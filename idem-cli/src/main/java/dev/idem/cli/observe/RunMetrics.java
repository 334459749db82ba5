package dev.idem.cli.observe;

import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowStatus;
import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.source.PartitionLag;
import dev.idem.window.Window;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the runner reports into Micrometer meters, named in Prometheus form by the registry
 * ({@code idem.rows} becomes {@code idem_rows_total}); docs/operations.md lists them. Every meter
 * carries the registry's common tags (the pipeline). Thread-safe: windows finish on runner threads.
 */
final class RunMetrics implements RunListener {
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

  /** Each partition's last reported lag, by topic and partition; a gauge reads it. */
  private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();

  RunMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    // the rare events' counters exist from the start at 0, so that rate() and alerts see them
    takeovers();
    retries();
    commitUnknown(true);
    commitUnknown(false);
  }

  @Override
  public void started(Window window) {
    startedAt.put(window.id(), clock.millis());
  }

  @Override
  public void claimed(Window window, Lease lease) {
    // a claim that replaced another owner's running row took over a lease that had expired
    if (lease.previous() != null
        && lease.previous().status() == WindowStatus.RUNNING
        && !lease.owner().equals(lease.previous().owner())) {
      takeovers().increment();
    }
  }

  @Override
  public void retrying(Window window, int attempt, Exception cause) {
    retries().increment();
  }

  @Override
  public void commitResolved(Window window, boolean committed) {
    commitUnknown(committed).increment();
  }

  @Override
  public void finished(WindowOutcome outcome) {
    Long started = startedAt.remove(outcome.window().id());
    String result = outcome.label();
    Counter.builder("idem.windows")
        .description("Windows a run reached, by result")
        .tag("result", result)
        .register(registry)
        .increment();
    if (started != null) {
      Timer.builder("idem.window.duration")
          .description("Time from a window's start to its outcome, retries included")
          .tag("result", result)
          .register(registry)
          .record(Duration.ofMillis(clock.millis() - started));
    }
    WindowCounts c = outcome.counts();
    counter("idem.rows.read", "Records read from the source")
        .increment((double) c.read()); // exact below 2^53 rows
    rows("inserted", c.inserted());
    rows("updated", c.updated());
    rows("unchanged", c.unchanged());
    rows("skipped", c.skipped());
    rows("deleted", c.deleted());
    rows("folded", c.folded());
    rows("discarded", c.discarded());
    rows("dead_lettered", c.deadLettered());
    rows("rolled_back", c.rolledBack());
  }

  @Override
  public void lag(PartitionLag lag) {
    lags.computeIfAbsent(
            lag.topic() + "\u0000" + lag.partition(),
            k -> {
              AtomicLong records = new AtomicLong();
              Gauge.builder("idem.kafka.lag.records", records, AtomicLong::doubleValue)
                  .description(
                      "Records of a partition past the next offset to load, at the last plan")
                  .tag("topic", lag.topic())
                  .tag("partition", Integer.toString(lag.partition()))
                  .register(registry);
              return records;
            })
        .set(lag.records());
  }

  /** The end of a run: its duration and its exit code's name. */
  void runFinished(Duration took, String result) {
    Timer.builder("idem.run.duration")
        .description("Time a run took, by its result")
        .tag("result", result.toLowerCase(Locale.ROOT))
        .register(registry)
        .record(took);
  }

  private void rows(String outcome, long n) {
    Counter.builder("idem.rows")
        .description("Rows of the windows' loads, by outcome (the conservation rule's terms)")
        .tag("outcome", outcome)
        .register(registry)
        .increment((double) n); // exact below 2^53 rows
  }

  private Counter takeovers() {
    return counter(
        "idem.lease.takeovers", "Leases of another runner taken over after they expired");
  }

  private Counter retries() {
    return counter("idem.retries", "Window attempts retried after a transient failure");
  }

  private Counter commitUnknown(boolean committed) {
    return Counter.builder("idem.commit.unknown")
        .description("Commits whose outcome was unknown, by what the ledger showed")
        .tag("resolution", committed ? "committed" : "not_committed")
        .register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }
}
