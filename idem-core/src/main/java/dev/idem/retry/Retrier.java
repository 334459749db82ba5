package dev.idem.retry;

import dev.idem.IdemException;
import dev.idem.TransientException;
import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Runs an action again after each {@link TransientException}, waiting the {@link RetryPolicy}'s
 * backoff (with jitter drawn from a seeded random source) through the injected {@link Sleeper};
 * anything else, data errors above all, propagates at once and is never retried. Past the policy's
 * last attempt it throws {@link GaveUp}. This is the one retry loop of idem: the runner and the
 * destinations use it, so every transient failure is retried the same way.
 *
 * <p>Written here rather than taken from resilience4j-retry or Failsafe: resilience4j sleeps
 * through one process-wide static function ({@code RetryImpl.setSleepFunction}) and Failsafe's
 * synchronous retries call {@code Thread.sleep}; neither takes a sleeper per instance, which tests
 * running side by side with their own sleepers need.
 */
public final class Retrier {
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final long seed;

  /**
   * {@code seed} seeds the jitter: each call draws its waits from a new random source of that seed.
   */
  public Retrier(RetryPolicy policy, Sleeper sleeper, long seed) {
    this.policy = policy;
    this.sleeper = sleeper;
    this.seed = seed;
  }

  /**
   * The same retrier with the jitter of another seed (say, one per window, so windows do not retry
   * in step).
   */
  public Retrier seeded(long other) {
    return new Retrier(policy, sleeper, other);
  }

  /**
   * Runs {@code action}; after a transient failure waits and runs it again, up to the policy's
   * attempts. Gives up with an {@link IdemException} saying {@code what: gave up after n attempts:
   * why}; an interrupt while waiting is an {@link IdemException} too.
   */
  public <T> T call(String what, Supplier<T> action) {
    try {
      return call(attempt -> action.get(), Retried.QUIETLY);
    } catch (GaveUp e) {
      throw new IdemException(what + ": " + e.getMessage(), e.getCause());
    } catch (Interrupted e) {
      // a failure of this step like any other, for the caller (a window's attempt fails with it)
      throw new IdemException(e.getMessage(), e.getCause());
    }
  }

  /** The same, for an action that returns nothing. */
  public void run(String what, Runnable action) {
    call(
        what,
        () -> {
          action.run();
          return null;
        });
  }

  /**
   * Runs {@code action}, told which attempt it is (from 1); after each transient failure tells
   * {@code retried} how long it waits, waits, and runs it again. Throws {@link GaveUp} when the
   * policy's last attempt failed transiently, {@link Interrupted} when interrupted while waiting.
   */
  public <T> T call(Attempt<T> action, Retried retried) {
    Random random = new Random(seed);
    for (int attempt = 1; ; attempt++) {
      try {
        return action.run(attempt);
      } catch (TransientException e) {
        if (attempt >= policy.maxAttempts()) {
          throw new GaveUp(attempt, e);
        }
        Duration wait = policy.backoff(attempt, random);
        retried.retrying(attempt, wait, e);
        pause(wait);
      }
    }
  }

  /**
   * Waits {@code wait} with the injected sleeper (a poll between two looks at something); an
   * interrupt fails the caller.
   */
  public void pause(Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Interrupted(e);
    }
  }

  /** One attempt of an action; {@code attempt} counts from 1. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run(int attempt);
  }

  /** Told of each retry before its wait: to log it, say. */
  @FunctionalInterface
  public interface Retried {
    Retried QUIETLY = (attempt, wait, failure) -> {};

    void retrying(int attempt, Duration wait, TransientException failure);
  }

  /**
   * The thread was interrupted while it waited: the caller stops, it does not count this as the
   * action's failure.
   */
  public static final class Interrupted extends IdemException {
    private static final long serialVersionUID = 1L;

    Interrupted(InterruptedException cause) {
      super("interrupted while waiting to retry", cause);
    }
  }

  /** The last attempt allowed failed transiently: its failure is the cause. */
  public static final class GaveUp extends IdemException {
    private static final long serialVersionUID = 1L;
    private final int attempts;

    GaveUp(int attempts, TransientException last) {
      super("gave up after " + attempts + " attempts: " + last.getMessage(), last);
      this.attempts = attempts;
    }

    public int attempts() {
      return attempts;
    }

    @Override
    public synchronized TransientException getCause() {
      return (TransientException) super.getCause();
    }
  }
}
