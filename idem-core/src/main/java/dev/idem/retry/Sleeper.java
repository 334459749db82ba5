package dev.idem.retry;

import java.time.Duration;

/**
 * Waits between attempts. Passed in with the run's services rather than called as {@code
 * Thread.sleep}, so that tests of retries and polls need not sleep.
 */
@FunctionalInterface
public interface Sleeper {
  /** The sleeper of a real process: the calling thread sleeps. */
  Sleeper THREAD = d -> Thread.sleep(d.toMillis());

  void sleep(Duration d) throws InterruptedException;
}
