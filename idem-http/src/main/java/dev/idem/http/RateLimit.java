package dev.idem.http;

import dev.idem.retry.Sleeper;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Spaces the starts of requests evenly: at most {@code perSecond} a second, shared by all senders.
 */
final class RateLimit {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private long next;

  /** {@code perSecond} 0 means no limit. */
  RateLimit(double perSecond) {
    this(perSecond, System::nanoTime);
  }

  RateLimit(double perSecond, LongSupplier nanoTime) {
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    this.nanoTime = nanoTime;
  }

  void acquire(Sleeper sleeper) throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      long at = Math.max(now, next);
      next = at + intervalNanos;
      wait = at - now;
    }
    if (wait > 0) {
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }
}
