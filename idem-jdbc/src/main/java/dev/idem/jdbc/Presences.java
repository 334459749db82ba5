package dev.idem.jdbc;

import dev.idem.jdbc.dialect.PresenceLocks;
import java.sql.Connection;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runners of this process present on one database. Where the database has presence locks, one
 * connection of this process holds the lock of every present runner, and a keeper looks at it every
 * {@link #KEEP_EVERY}: when it was lost (a server restart, a dropped idle connection) it is opened
 * again and every present runner's lock taken again, so that a live runner is not taken for dead
 * for longer than that. The connection is closed while no runner is present. A runner may enter
 * more than once (it leaves as often). Thread-safe; the holder connection is used under this
 * object's lock only.
 */
final class Presences implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Presences.class);
  static final Duration KEEP_EVERY = Duration.ofSeconds(2);
  private static final int VALID_SECONDS = 2;

  /**
   * The holder session's name where the driver shows one (PostgreSQL:
   * pg_stat_activity.application_name).
   */
  static final String APPLICATION_NAME = "idem presence locks";

  /** Opens a new connection to the database, for the holder. */
  interface Connector {
    Connection open() throws SQLException;
  }

  private final Optional<PresenceLocks> locks;
  private final Connector connector;
  private final Map<String, Integer> present = new HashMap<>();
  private final Set<String> held = new HashSet<>();
  private Connection holder;
  private ScheduledExecutorService keeper;
  private boolean closed;

  Presences(Optional<PresenceLocks> locks, Connector connector) {
    this.locks = locks;
    this.connector = connector;
  }

  synchronized void enter(String owner) {
    present.merge(owner, 1, Integer::sum);
    if (locks.isPresent() && !closed) {
      hold(owner);
      if (keeper == null) {
        keeper =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "idem-presence");
                  t.setDaemon(true);
                  return t;
                });
        var unused =
            keeper.scheduleWithFixedDelay(
                this::keep, KEEP_EVERY.toMillis(), KEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  synchronized void leave(String owner) {
    Integer n = present.get(owner);
    if (n == null) {
      return;
    }
    if (n > 1) {
      present.put(owner, n - 1);
      return;
    }
    present.remove(owner);
    if (held.remove(owner) && holder != null) {
      try {
        locks.orElseThrow().release(holder, owner);
      } catch (SQLException e) {
        // the lock goes with the holder's session: drop it, the keeper opens a new one for the
        // others
        LOG.debug("runner {}: presence lock not released: {}", owner, e.getMessage());
        dropHolder();
      }
    }
    if (present.isEmpty()) {
      dropHolder(); // no connection kept while no runner runs
    }
  }

  synchronized boolean contains(String owner) {
    return present.containsKey(owner);
  }

  /**
   * Whether a present runner's lock is held, taking it if it is not; true for a runner that never
   * entered (nothing to hold) and where the database has no presence locks.
   */
  synchronized boolean held(String owner) {
    if (locks.isEmpty() || !present.containsKey(owner)) {
      return true;
    }
    return held.contains(owner) || hold(owner);
  }

  /** The keeper: a lost holder is opened again and every present runner's lock taken again. */
  private synchronized void keep() {
    if (closed || (present.isEmpty() && holder == null)) {
      return;
    }
    if (holder != null && !valid(holder)) {
      LOG.info("presence locks: the connection holding them was lost; taking them again");
      dropHolder();
    }
    for (String owner : present.keySet()) {
      if (!held.contains(owner)) {
        hold(owner);
      }
    }
  }

  /** Takes the owner's lock, opening the holder if needed; false when it could not (logged). */
  private boolean hold(String owner) {
    try {
      if (holder == null) {
        Connection c = connector.open();
        c.setAutoCommit(true);
        try {
          c.setClientInfo(
              "ApplicationName", APPLICATION_NAME); // names the session in pg_stat_activity
        } catch (SQLClientInfoException ignored) {
          // a driver without it: the session is only unnamed
        }
        holder = c;
      }
      if (locks.orElseThrow().hold(holder, owner)) {
        held.add(owner);
        return true;
      }
      LOG.warn(
          "runner {}: its presence lock is held by another session (another runner of the same name?)",
          owner);
    } catch (SQLException e) {
      LOG.warn(
          "runner {}: presence lock not held for now: {}", owner, Jdbc.firstLine(e.getMessage()));
      dropHolder();
    }
    return false;
  }

  private void dropHolder() {
    Jdbc.closeQuietly(holder);
    holder = null;
    held.clear();
  }

  @Override
  public void close() {
    ScheduledExecutorService k;
    synchronized (this) {
      closed = true;
      k = keeper;
      keeper = null;
      for (String owner : held) {
        try {
          locks.orElseThrow().release(holder, owner);
        } catch (SQLException e) {
          break; // the session is gone, and its locks with it
        }
      }
      dropHolder();
      present.clear();
    }
    if (k != null) {
      k.shutdownNow();
    }
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(VALID_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }
}
