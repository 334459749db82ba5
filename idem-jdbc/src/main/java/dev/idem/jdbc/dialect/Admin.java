package dev.idem.jdbc.dialect;

import dev.idem.jdbc.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What operators and verification need from a database beyond loading windows: scratch databases
 * for {@code idem verify}, the sessions and leftovers {@code idem doctor} reports and fixes, and
 * the presence locks by which runners of other processes are known alive. Defaults describe a
 * database one process opens at a time (a DuckDB file): no other session, nothing to find.
 */
public interface Admin {
  /**
   * A new, empty database beside the one at {@code jdbcUrl} (a scratch database on the same server,
   * or a temporary file) for {@code idem verify}; {@link Scratch#drop} removes it once every
   * connection to it is closed.
   */
  Scratch scratch(String jdbcUrl, Properties properties) throws SQLException;

  /** A scratch database: its URL, and how to remove it. */
  record Scratch(String url, Drop drop) {}

  /** Removes a scratch database. */
  @FunctionalInterface
  interface Drop {
    void run() throws SQLException;
  }

  /**
   * The database's presence locks, where it has them (PostgreSQL); empty where it has none: a
   * runner is then known alive only inside its own process, and elsewhere by its lease's expiry.
   */
  default Optional<PresenceLocks> presenceLocks() {
    return Optional.empty();
  }

  /**
   * Sessions other than this one that sit idle inside an open transaction for longer than {@code
   * idleFor} while holding locks on {@code target} or on a table of the ledger schema {@code _idem}
   * ({@code idem doctor}). Default: none (a database one process opens at a time has no other
   * session).
   */
  default List<IdleSession> idleSessions(Connection connection, TableName target, Duration idleFor)
      throws SQLException {
    return List.of();
  }

  /**
   * Ends an idle session found by {@link #idleSessions}, only if it is still the same session idle
   * in the same state since {@link IdleSession#stateChange}: false when it did anything since.
   */
  default boolean terminate(Connection connection, IdleSession session) throws SQLException {
    return false;
  }

  /** A session idle in a transaction: {@code locks} names the relations it holds locks on. */
  record IdleSession(
      int pid,
      String user,
      String application,
      String client,
      Duration idle,
      String locks,
      OffsetDateTime backendStart,
      OffsetDateTime stateChange) {}

  /**
   * The scratch databases {@link #scratch} created on this server that still exist, with their
   * creation time when their name records it and the sessions connected to them. Default: none (a
   * scratch DuckDB file is not on the destination's server).
   */
  default List<ScratchDatabase> scratchDatabases(Connection connection) throws SQLException {
    return List.of();
  }

  /**
   * Drops a scratch database unless a session is connected to it; false when one is (the drop is
   * refused by the server itself, so a check that is still running keeps its database). Runs
   * outside a transaction on {@code connection}.
   */
  default boolean dropScratch(Connection connection, String name) throws SQLException {
    return false;
  }

  /**
   * A scratch database left on the server: when it was created (if its name says) and how many
   * sessions use it.
   */
  record ScratchDatabase(String name, Optional<Instant> created, long sessions) {}
}
