package dev.idem.retry;

import java.time.Duration;
import java.util.Random;

/**
 * Bounded exponential backoff with full jitter, for transient failures only. Attempt n (from 1)
 * waits a uniformly random time in [0, min(max, initial * 2^(n-1))].
 */
public record RetryPolicy(int maxAttempts, Duration initial, Duration max) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(6, Duration.ofMillis(100), Duration.ofSeconds(5));
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  /** The wait before retry number {@code attempt} (1 = the first retry). */
  public Duration backoff(int attempt, Random random) {
    long cap = initial.toMillis() << Math.min(attempt - 1, 30);
    long bound = Math.max(0, Math.min(max.toMillis(), cap));
    return Duration.ofMillis(bound == 0 ? 0 : (long) (random.nextDouble() * (bound + 1)));
  }
}
