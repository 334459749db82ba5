package dev.idem.jdbc;

import dev.idem.jdbc.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connections of one database: the first one (kept open, and the one DuckDB's further
 * connections are duplicated from), a new one per window's write, and a few idle ones reused by
 * short transactions (ledger reads and claims, DDL). Shared by every view of a destination.
 */
final class Connections {
  private static final int POOL_SIZE = 8;
  private final Dialect dialect;
  private final String url;
  private final Properties properties;
  private final Connection first;

  /** Held while short work runs, when the dialect needs writers serialized; null otherwise. */
  private final ReentrantLock writeLock;

  /** Idle connections for {@link #transaction}. */
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

  Connections(
      Dialect dialect,
      String url,
      Properties properties,
      Connection first,
      ReentrantLock writeLock) {
    this.dialect = dialect;
    this.url = url;
    this.properties = properties;
    this.first = first;
    this.writeLock = writeLock;
  }

  /** A new connection to the database, its caller's to close. */
  Connection open() throws SQLException {
    return dialect.connectAgain(first, url, properties);
  }

  /** Work inside one short transaction on its own connection. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs short work (ledger reads and claims, DDL) in a transaction of its own, on a pooled
   * connection: a connection is returned to the pool only after a clean commit, and dropped after
   * any error, so a broken one is never reused.
   */
  <T> T transaction(String what, Work<T> work) {
    ReentrantLock lock = writeLock;
    if (lock != null) {
      lock.lock();
    }
    Connection c = null;
    try {
      c = idle.pollFirst();
      if (c == null) {
        c = open();
      }
      c.setAutoCommit(false);
      T result;
      try {
        result = work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        Jdbc.closeQuietly(c);
        c = null;
        throw e;
      }
      if (idle.size() < POOL_SIZE) {
        idle.addFirst(c);
      } else {
        Jdbc.closeQuietly(c);
      }
      return result;
    } catch (SQLException e) {
      Jdbc.closeQuietly(c);
      throw Jdbc.translate(dialect, e, what);
    } finally {
      if (lock != null) {
        lock.unlock();
      }
    }
  }

  /** Closes the idle connections and the first one. */
  void close() {
    for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
      Jdbc.closeQuietly(c);
    }
    Jdbc.closeQuietly(first);
  }
}
