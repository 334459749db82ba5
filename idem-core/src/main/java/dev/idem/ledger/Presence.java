package dev.idem.ledger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A runner's announcement, held in the ledger's store for as long as the runner lives, that it is
 * alive. A lease is only as good as its holder: a window held by a runner that is no longer present
 * (it finished, crashed, or its process was killed) is taken over at once instead of waiting for
 * its lease to expire. Liveness never rests on process ids, which are reused and mean nothing
 * across hosts or containers: on PostgreSQL a presence is a session-level advisory lock that the
 * server releases when the runner's connection dies with its process.
 *
 * <p>Closing a presence ends it; closing twice is harmless.
 */
public interface Presence extends AutoCloseable {
  /** For a ledger whose store cannot hold one: liveness is then judged by lease expiry alone. */
  Presence NONE = () -> {};

  /** A presence that runs {@code leave} when first closed, and does nothing when closed again. */
  static Presence endingWith(Runnable leave) {
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        leave.run();
      }
    };
  }

  @Override
  void close();
}
