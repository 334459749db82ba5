package dev.idem.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runners of this process present on one database, and the connection holding each one's
 * presence lock where the database has such locks. A runner is present from its entry until it
 * leaves; its lock connection closes when it leaves, which releases the lock.
 */
final class Presences {
  private static final Logger LOG = LoggerFactory.getLogger(Presences.class);
  private static final int VALID_SECONDS = 2;

  /** Opens a connection that holds one runner's presence lock. */
  interface LockHolder {
    Connection open() throws SQLException;
  }

  /**
   * Gives a runner's presence lock back on its connection before it closes: the server ends a
   * closed session a moment later, and until then the runner would still look alive.
   */
  interface Release {
    void release(Connection c, String owner) throws SQLException;
  }

  private final Release release;

  Presences(Release release) {
    this.release = release;
  }

  private final Set<String> present = new HashSet<>();
  private final Map<String, Connection> locks = new HashMap<>();

  synchronized void enter(String owner) {
    present.add(owner);
  }

  synchronized boolean contains(String owner) {
    return present.contains(owner);
  }

  void leave(String owner) {
    Connection lock;
    synchronized (this) {
      present.remove(owner);
      lock = locks.remove(owner);
    }
    close(owner, lock);
  }

  private void close(String owner, Connection lock) {
    if (lock == null) {
      return;
    }
    try {
      release.release(lock, owner);
    } catch (SQLException e) {
      LOG.debug("runner {}: presence lock not released before closing its connection: {}", owner, e.getMessage());
    }
    Jdbc.closeQuietly(lock);
  }

  /** Makes sure a present runner's lock is held, opening a holder when it is not (or its connection died). */
  void keep(String owner, LockHolder holder) {
    synchronized (this) {
      if (!present.contains(owner)) {
        return;
      }
    }
    Connection current;
    synchronized (this) {
      current = locks.get(owner);
    }
    if (current != null && valid(current)) {
      return;
    }
    Connection fresh;
    try {
      fresh = holder.open();
    } catch (SQLException e) {
      LOG.debug("runner {}: presence lock not held for now: {}", owner, e.getMessage());
      return;
    }
    Connection stale;
    synchronized (this) {
      if (!present.contains(owner)) {
        stale = fresh; // it left meanwhile
      } else {
        stale = locks.put(owner, fresh);
      }
    }
    Jdbc.closeQuietly(stale);
  }

  void closeAll() {
    Map<String, Connection> all;
    synchronized (this) {
      all = new HashMap<>(locks);
      locks.clear();
      present.clear();
    }
    all.forEach(this::close);
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(VALID_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }
}
