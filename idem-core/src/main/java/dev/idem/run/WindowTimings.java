package dev.idem.run;

import java.time.Duration;
import java.time.Instant;

/**
 * How long one window took in a run, phase by phase, summed over its attempts: {@code read} the
 * time spent in the source (opening it, pulling and typing its records), {@code stage} the time
 * spent putting rows on the destination's bulk path (beginning the write, row functions, keys, dead
 * letters), {@code apply} the destination's prepare (transform, dedup, strategy, ledger update),
 * {@code commit} the commit of data and ledger row (with the resolution of an unknown one). {@code
 * total} is the window from start to outcome: the phases plus the ledger reads, the claim,
 * fingerprints of unchanged windows and the waits between attempts. {@code started} and {@code
 * ended} are wall-clock instants from the run's clock; null for a window that never started.
 *
 * <p>Durations are measured with {@link System#nanoTime()}: they are measurements reported to
 * people and programs, never written into data or the ledger, so they need no injected clock.
 */
public record WindowTimings(
    Instant started,
    Instant ended,
    Duration read,
    Duration stage,
    Duration apply,
    Duration commit,
    Duration total) {
  /** A window that never started (stopped before it was reached). */
  public static final WindowTimings NONE =
      new WindowTimings(
          null, null, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

  /**
   * Phase times accumulated while a window's attempts run; one per window, one thread at a time.
   */
  static final class Phases {
    long read;
    long stage;
    long apply;
    long commit;

    WindowTimings finish(Instant started, Instant ended, long totalNanos) {
      return new WindowTimings(
          started,
          ended,
          Duration.ofNanos(read),
          Duration.ofNanos(stage),
          Duration.ofNanos(apply),
          Duration.ofNanos(commit),
          Duration.ofNanos(totalNanos));
    }
  }
}
