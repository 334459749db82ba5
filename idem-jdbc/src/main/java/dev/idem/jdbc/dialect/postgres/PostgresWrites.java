package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.dialect.Writes;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.TableStatistics;
import dev.idem.jdbc.write.WindowStrategy;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * How a window's write runs on PostgreSQL: merge and replace_window with a key in one statement
 * each ({@link OneStatementSql}); {@code ON CONFLICT DO NOTHING} where two runners may insert one
 * key; a transaction-scoped advisory lock per target; and the transaction id ({@code
 * pg_current_xact_id()} before COMMIT, {@code pg_xact_status()} after) that resolves a COMMIT whose
 * reply was lost.
 */
final class PostgresWrites implements Writes {
  @Override
  public WindowStrategy strategy(
      Target target, StrategySql sql, String window, TableStatistics statistics) {
    // A merge with deletes runs step by step: its tombstones are read and written by the
    // statements of the step-by-step merge (ADR 0007), under this table's lock.
    if (target.strategy() == WriteStrategy.MERGE && !target.hasDeletes()) {
      return new OneStatementMerge(sql, window);
    }
    if (target.strategy() == WriteStrategy.REPLACE_WINDOW && target.key() != null) {
      return new OneStatementReplaceWindow(sql, window);
    }
    return Writes.super.strategy(target, sql, window, statistics);
  }

  /** A transaction-scoped advisory lock keyed by the table's name. */
  @Override
  public void lockTarget(Connection connection, String table) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      ps.setString(1, "idem:" + table);
      ps.executeQuery().close();
    }
  }

  @Override
  public String insertConflictClause(String keyColumns) {
    return " ON CONFLICT (" + keyColumns + ") DO NOTHING";
  }

  @Override
  public Optional<String> transactionId(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
      rs.next();
      return Optional.of(rs.getString(1));
    }
  }

  @Override
  public Optional<Boolean> committed(Connection fresh, String transactionId) throws SQLException {
    try (PreparedStatement ps = fresh.prepareStatement("SELECT pg_xact_status(CAST(? AS xid8))")) {
      ps.setString(1, transactionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String status = rs.getString(1);
        if ("committed".equals(status)) {
          return Optional.of(true);
        }
        if ("aborted".equals(status)) {
          return Optional.of(false);
        }
        return Optional.empty(); // in progress, or too old to know
      }
    } catch (SQLException e) {
      // "transaction ID ... is in the future": the server restarted and its WAL never reached this
      // transaction, so it cannot have committed (a commit flushes its WAL record first)
      if ("22023".equals(e.getSQLState())
          && String.valueOf(e.getMessage()).contains("in the future")) {
        return Optional.of(false);
      }
      throw e;
    }
  }
}
