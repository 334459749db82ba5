package dev.idem.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGTERM (and Ctrl-C, SIGINT) into a request to stop between windows: no window starts after
 * it, the windows in progress commit, or roll back if they fail, their leases end with them, and
 * the run prints its summary. The JVM then exits with its own status for the signal (143 for
 * SIGTERM, 130 for SIGINT), at most {@link #GRACE} after the signal: past that the process ends as
 * if killed, and the next run takes its windows over at once (its presence in the ledger ends with
 * it).
 */
final class StopOnSignal implements AutoCloseable {
  static final Duration GRACE = Duration.ofMinutes(2);
  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook = new Thread(this::onSignal, "idem-stop");

  StopOnSignal() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  boolean requested() {
    return requested.get();
  }

  private void onSignal() {
    requested.set(true);
    try {
      stopped.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The run has stopped and printed its report: a pending signal's exit goes on. */
  @Override
  public void close() {
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running and returns now
    }
  }
}
