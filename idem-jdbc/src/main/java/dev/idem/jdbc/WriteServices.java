package dev.idem.jdbc;

import dev.idem.jdbc.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a window's write needs from its destination, handed over when it begins: the dialect, the
 * ledger it completes, the clock leases are judged by, the process's write lock (null where the
 * database's own locks suffice) and how its COMMIT is resolved.
 */
record WriteServices(
    Dialect dialect,
    JdbcLedger ledger,
    Clock clock,
    ReentrantLock writeLock,
    CommitResolution commits) {
  /**
   * The time leases are judged by: the database's clock for a server database, else the runner's.
   */
  Instant now(Connection c) throws SQLException {
    return dialect.now(c, clock);
  }
}
