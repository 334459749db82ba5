package dev.idem.run;

import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import dev.idem.destination.Destination;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.window.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window's commit and what the ledger says of it, resolved in this one place. A commit whose
 * outcome is unknown ({@link CommitUnknownException}: the connection was lost during COMMIT)
 * happened exactly when the window's ledger row is done under this attempt's fencing token, the row
 * the transaction itself wrote; it is never guessed and nothing is cleaned up after it. A commit
 * that did not happen is a transient failure: the window is tried again.
 */
final class CommitResolution {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private final Destination destination;
  private final Retrier retrier;
  private final RunListener listener;

  CommitResolution(Destination destination, Retrier retrier, RunListener listener) {
    this.destination = destination;
    this.retrier = retrier;
    this.listener = listener;
  }

  /**
   * Commits the prepared {@code write}; returns once it is known committed, throws {@link
   * TransientException} when it is known not to be.
   */
  void commit(Pipeline pipeline, Window window, Lease lease, WindowWrite write) {
    try {
      write.commit();
    } catch (CommitUnknownException e) {
      boolean committed = committed(pipeline, lease);
      listener.commitResolved(window, committed);
      if (!committed) {
        LOG.info(
            "window {}: commit outcome was unknown; the ledger shows it did not happen, retrying",
            lease.windowId());
        throw new TransientException(
            "commit of window " + lease.windowId() + " did not happen: " + e.getMessage(), e);
      }
      LOG.info(
          "window {}: commit outcome was unknown; the ledger shows it committed", lease.windowId());
    }
  }

  /** Resolves an unknown commit by reading the ledger: done under our token means it happened. */
  private boolean committed(Pipeline pipeline, Lease lease) {
    return retrier
        .call(
            "read ledger of " + lease.windowId(),
            () -> destination.ledger().state(pipeline.name(), lease.windowId()))
        .filter(s -> s.status() == WindowStatus.DONE && s.token() == lease.token())
        .isPresent();
  }

  /**
   * The window's ledger row after its commit: done under our token, or already claimed again by a
   * later runner (its token is greater). Anything else is a defect of the destination, said as
   * such.
   */
  WindowState confirmed(Pipeline pipeline, Lease lease) {
    String window = lease.windowId();
    WindowState after =
        destination
            .ledger()
            .state(pipeline.name(), window)
            .orElseThrow(
                () ->
                    new IdemException(
                        "window " + window + " committed but its ledger row is missing"));
    if (after.token() < lease.token()
        || (after.token() == lease.token() && after.status() != WindowStatus.DONE)) {
      throw new IdemException(
          "window "
              + window
              + " committed but the ledger shows "
              + after.status()
              + " under token "
              + after.token());
    }
    return after;
  }
}
