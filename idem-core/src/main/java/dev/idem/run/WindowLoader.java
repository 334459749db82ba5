package dev.idem.run;

import dev.idem.IdemException;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.FencedException;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.window.Window;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One window to its outcome: its attempts ({@link WindowAttempt}) retried by the retrier while they
 * fail transiently; held when another runner's lease fences it out; failed, and recorded so in the
 * ledger under its lease, on a data error, a bug, or the last transient failure. Errors (a
 * simulated crash) propagate.
 */
final class WindowLoader {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private final Destination destination;
  private final RunServices services;
  private final RunListener listener;
  private final Retrier retrier;
  private final WindowAttempt attempts;

  WindowLoader(
      Destination destination, RunServices services, RunListener listener, Retrier retrier) {
    this.destination = destination;
    this.services = services;
    this.listener = listener;
    this.retrier = retrier;
    this.attempts = new WindowAttempt(destination, services, listener, retrier);
  }

  WindowOutcome load(
      Pipeline pipeline, Window window, RunOptions options, String owner, HeldWindows held) {
    try (LogContext context = LogContext.window(pipeline.name(), options.runId(), window.id())) {
      WindowOutcome outcome = attempts(pipeline, window, options, owner, held);
      listener.finished(outcome);
      return outcome;
    }
  }

  private WindowOutcome attempts(
      Pipeline pipeline, Window window, RunOptions options, String owner, HeldWindows held) {
    listener.started(window);
    Instant started = services.clock().instant();
    long startedNanos = System.nanoTime();
    LastAttempt last = new LastAttempt();
    WindowOutcome outcome;
    try {
      outcome =
          retrier
              .seeded(services.seed() ^ window.id().hashCode())
              .call(
                  attempt -> {
                    last.number = attempt;
                    return attempts.once(pipeline, window, options, owner, held, last);
                  },
                  (attempt, wait, e) -> {
                    listener.retrying(window, attempt, e);
                    RunLog.retrying(window, attempt, wait, e);
                  });
    } catch (Retrier.Interrupted e) {
      throw e; // not the window's failure: the run is being stopped
    } catch (Retrier.GaveUp e) {
      outcome = failed(window, last, e);
    } catch (FencedException e) {
      RunLog.fenced(window, e.getMessage());
      outcome =
          new WindowOutcome(
              window, WindowOutcome.Result.HELD, WindowCounts.NONE, last.number, e.getMessage());
    } catch (IdemException e) {
      outcome = failed(window, last, e);
    } catch (RuntimeException e) {
      // A bug or a row function's exception: this window fails, the others still run.
      LOG.warn("window {}: unexpected error", window.id(), e);
      outcome =
          failed(
              window,
              last,
              new IdemException(
                  "unexpected error: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e));
    }
    outcome =
        outcome.withTimings(
            last.phases.finish(
                started, services.clock().instant(), System.nanoTime() - startedNanos));
    if (outcome.result() == WindowOutcome.Result.FAILED) {
      RunLog.failed(window, outcome.attempts(), outcome.message());
    }
    return outcome;
  }

  /** The last attempt at a window: its number, its lease once claimed, and how far it read. */
  static final class LastAttempt {
    int number;
    Lease lease;
    long read;
    long discarded;

    /** The phase times of every attempt so far. */
    final WindowTimings.Phases phases = new WindowTimings.Phases();

    /**
     * Its counts if it failed: what it read, dropped and kept as dead letters; the rest was rolled
     * back.
     */
    WindowCounts failed(IdemException e) {
      long letters = e instanceof BadRecords bad ? bad.letters().size() : 0;
      long target =
          lease == null || lease.previous() == null ? 0 : lease.previous().counts().targetRows();
      return WindowCounts.failed(read, discarded, letters, target);
    }
  }

  /**
   * A failed window: recorded in the ledger under the lease, with its counts, when this runner
   * holds one.
   */
  private WindowOutcome failed(Window window, LastAttempt last, IdemException e) {
    WindowCounts counts = last.failed(e);
    if (last.lease != null) {
      recordFailure(last.lease, e, counts);
    }
    return new WindowOutcome(
        window, WindowOutcome.Result.FAILED, counts, last.number, e.getMessage());
  }

  /**
   * Records the failure under the lease, if it is still ours, retried like any ledger write. If the
   * ledger stays unreachable past the retries the window's row still says running: this runner's
   * presence ends with the run, and the next claim takes the window over at once.
   */
  private void recordFailure(Lease lease, IdemException e, WindowCounts counts) {
    try {
      retrier.run(
          "record the failure of window " + lease.windowId(),
          () ->
              destination
                  .ledger()
                  .fail(
                      lease,
                      e.getMessage(),
                      counts,
                      e instanceof BadRecords bad ? bad.letters() : List.of()));
    } catch (IdemException suppressed) {
      e.addSuppressed(suppressed);
      LOG.warn(
          "window {}: could not record the failure in the ledger: {}",
          lease.windowId(),
          suppressed.getMessage());
    }
  }
}
