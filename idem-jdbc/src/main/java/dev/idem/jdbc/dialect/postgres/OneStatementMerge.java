package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.write.Applied;
import dev.idem.jdbc.write.KeyRefusals;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.WindowStrategy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merge as one statement (see {@link OneStatementSql#mergeInOneStatement}): the window's rows are
 * read once and only the rows that change are written, instead of a dedup table, its statistics and
 * a join against the target per step. A NULL key fails the window after the statement, which writes
 * no such row; the rollback discards the rest.
 */
final class OneStatementMerge implements WindowStrategy {
  private final StrategySql sql;
  private final String window;

  OneStatementMerge(StrategySql sql, String window) {
    this.sql = sql;
    this.window = window;
  }

  @Override
  public Applied apply(Connection connection, String source) throws SQLException {
    String merge = new OneStatementSql(sql).mergeInOneStatement(source);
    List<String> affected = new ArrayList<>();
    try (PreparedStatement ps = Bound.to(connection, merge, sql.sourceBinds(merge, window));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long rows = rs.getLong(1);
      long nullKeys = rs.getLong(2);
      if (nullKeys > 0) {
        throw KeyRefusals.nullKeys(window, sql.keys(), nullKeys);
      }
      long inserted = rs.getLong(3);
      long updated = rs.getLong(4);
      long deleted = rs.getLong(5);
      Array windows = rs.getArray(6);
      try {
        affected.addAll(List.of((String[]) windows.getArray()));
      } finally {
        windows.free();
      }
      return new Applied(
          rows,
          inserted,
          updated,
          rows - inserted - updated - deleted,
          0,
          deleted,
          0,
          affected,
          false);
    }
  }
}
