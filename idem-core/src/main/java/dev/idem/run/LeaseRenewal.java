package dev.idem.run;

import dev.idem.IdemException;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.Lease;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a lease alive while a long window loads: renews it every third of its time to live on a
 * daemon thread. A lease found taken over is not renewed again; the commit's fencing check then
 * refuses this runner's write.
 */
final class LeaseRenewal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private final ScheduledExecutorService timer;

  /**
   * Set once the window's ledger row is written in its transaction: a renewal refused after that is
   * our own commit's doing.
   */
  private volatile boolean completing;

  LeaseRenewal(Destination destination, RunServices services, Lease lease) {
    if (services.renewal() == RunServices.Renewal.OFF) {
      timer = null;
      return;
    }
    long every = Math.max(1, services.leaseTtl().toMillis() / 3);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "idem-lease-" + lease.windowId());
              t.setDaemon(true);
              return t;
            });
    var unused =
        timer.scheduleAtFixedRate(
            () -> {
              try {
                if (!destination.ledger().renew(lease, services.leaseTtl())) {
                  // once the window is completing, a refused renewal means its commit ended the
                  // lease (or
                  // a takeover that the commit's own fencing reports): nothing to warn about here
                  if (!completing) {
                    LOG.warn(
                        "window {}: lease was taken over by another runner; this runner's commit will be refused",
                        lease.windowId());
                  }
                  timer.shutdown();
                }
              } catch (IdemException e) {
                LOG.warn("window {}: could not renew lease: {}", lease.windowId(), e.getMessage());
              }
            },
            every,
            every,
            TimeUnit.MILLISECONDS);
  }

  /**
   * The window's data and ledger row are written and about to commit: the lease ends with the
   * commit.
   */
  void completing() {
    completing = true;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
