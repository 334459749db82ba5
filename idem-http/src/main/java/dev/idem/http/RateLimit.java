package dev.idem.http;

import dev.idem.retry.Sleeper;
import java.time.Duration;

/**
 * Spaces the starts of requests evenly: at most {@code perSecond} a second, shared by all senders.
 */
final class RateLimit {
  private final long intervalNanos;
  private long next;

  /** {@code perSecond} 0 means no limit. */
  RateLimit(double perSecond) {
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
  }

  void acquire(Sleeper sleeper) throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long at = Math.max(now, next);
      next = at + intervalNanos;
      wait = at - now;
    }
    if (wait > 0) {
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }
}
