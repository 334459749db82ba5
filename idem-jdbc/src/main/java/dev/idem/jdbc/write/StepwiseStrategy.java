package dev.idem.jdbc.write;

import dev.idem.TransientException;
import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A strategy run step by step: the window's rows are first deduplicated by key into {@code
 * idem_rows} (with planner statistics, and a NULL key refused), then each subclass runs one
 * set-based statement per step over them.
 */
abstract class StepwiseStrategy implements WindowStrategy {
  final StrategySql sql;
  final String window;
  private final TableStatistics statistics;

  StepwiseStrategy(StrategySql sql, String window, TableStatistics statistics) {
    this.sql = sql;
    this.window = window;
    this.statistics = statistics;
  }

  @Override
  public final Applied apply(Connection connection, String source) throws SQLException {
    Applied straight = straight(connection, source);
    if (straight != null) {
      return straight;
    }
    for (String before : sql.dedup().before()) {
      Jdbc.update(connection, before, sql.deletes().value());
    }
    String dedup = sql.dedup().statement(source);
    try (PreparedStatement ps = connection.prepareStatement(dedup)) {
      List<String> binds = sql.sourceBinds(dedup, window);
      for (int i = 0; i < binds.size(); i++) {
        ps.setString(i + 1, binds.get(i));
      }
      ps.execute();
    }
    statistics.analyze(connection, StrategySql.ROWS);
    long rows = Jdbc.queryLong(connection, sql.count(StrategySql.ROWS), null);
    if (!sql.keys().isEmpty()) {
      long nullKeys = Jdbc.queryLong(connection, sql.nullKeys(), null);
      if (nullKeys > 0) {
        throw KeyRefusals.nullKeys(window, sql.keys(), nullKeys);
      }
    }
    return write(connection, rows);
  }

  /**
   * The whole window applied in fewer statements than the steps, straight from {@code source}, when
   * the strategy can tell cheaply that its steps would do exactly that; null to take the steps.
   */
  Applied straight(Connection connection, String source) throws SQLException {
    return null;
  }

  /** The strategy's own steps over {@code idem_rows}, which holds {@code rows} rows. */
  abstract Applied write(Connection connection, long rows) throws SQLException;

  /**
   * Inserts the window's new keys. Where runners are not serialized, another runner may insert one
   * of them between our check and our insert: {@code ON CONFLICT DO NOTHING} then skips it, the
   * counts disagree, and the window is retried (it will see that row and merge onto it).
   */
  final long insertNew(Connection connection) throws SQLException {
    if (!sql.insertSkipsConflicts()) {
      return Jdbc.update(connection, sql.insertNew(), window);
    }
    long expected = Jdbc.queryLong(connection, sql.countNew(), window);
    long inserted = Jdbc.update(connection, sql.insertNew(), window);
    if (inserted != expected) {
      throw new TransientException(
          "window "
              + window
              + ": "
              + (expected - inserted)
              + " keys were inserted by another runner at the same moment; retrying the window",
          null);
    }
    return inserted;
  }

  /** The first value of each row of {@code query}, which binds the window id once. */
  final List<String> strings(Connection connection, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(query)) {
      ps.setString(1, window);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
