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
import java.util.List;

/**
 * Replace_window with a key as one statement (see {@link
 * OneStatementSql#replaceWindowInOneStatement}). A NULL key, or a key another window holds, fails
 * the window after the statement, which writes no such row; the rollback discards the rest.
 */
final class OneStatementReplaceWindow implements WindowStrategy {
  private final StrategySql sql;
  private final String window;

  OneStatementReplaceWindow(StrategySql sql, String window) {
    this.sql = sql;
    this.window = window;
  }

  @Override
  public Applied apply(Connection connection, String source) throws SQLException {
    String replace = new OneStatementSql(sql).replaceWindowInOneStatement(source);
    try (PreparedStatement ps = Bound.toWindow(connection, replace, window);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long rows = rs.getLong(1);
      long nullKeys = rs.getLong(2);
      if (nullKeys > 0) {
        throw KeyRefusals.nullKeys(window, sql.keys(), nullKeys);
      }
      long inserted = rs.getLong(3);
      long updated = rs.getLong(4);
      long replaced = rs.getLong(5);
      String holder = rs.getString(6);
      if (holder != null) {
        Array key = rs.getArray(7);
        try {
          throw KeyRefusals.keyOfOtherWindow(
              window, sql.keys(), List.of((String[]) key.getArray()), holder);
        } finally {
          key.free();
        }
      }
      return new Applied(
          rows, inserted, updated, rows - inserted - updated, 0, 0, replaced, List.of(), false);
    }
  }
}
