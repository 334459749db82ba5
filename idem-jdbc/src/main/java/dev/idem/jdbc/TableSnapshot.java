package dev.idem.jdbc;

import dev.idem.jdbc.write.StrategySql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A table's content as a sorted list of rendered rows ({@code col=value|...}): equal snapshots
 * mean equal multisets of rows. Used by tests and by verification to compare states.
 */
public final class TableSnapshot {
  private TableSnapshot() {}

  public static List<String> rows(JdbcDestination destination, String table) {
    // a parenthesised relation is taken as a subquery (tests read catalog functions this way)
    String relation = table.startsWith("(") ? table : TableName.parse(table).sql();
    return destination.transaction("snapshot " + table, c -> {
      List<String> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + relation);
           ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          StringBuilder sb = new StringBuilder();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            sb.append(i == 1 ? "" : "|").append(md.getColumnLabel(i)).append('=').append(rs.getString(i));
          }
          rows.add(sb.toString());
        }
      }
      Collections.sort(rows);
      return rows;
    });
  }

  /** Runs one statement in its own transaction (tests that set up or tamper with a database). */
  public static void execute(JdbcDestination destination, String sql) {
    destination.transaction("execute", c -> {
      Jdbc.execute(c, sql);
      return null;
    });
  }

  /** Deletes a window's rows behind idem's back (tests of tampered targets). */
  public static long deleteWindow(JdbcDestination destination, String table, String windowId) {
    return destination.transaction("delete window rows", c -> Jdbc.update(c,
        "DELETE FROM " + TableName.parse(table).sql() + " WHERE " + SqlName.quote(StrategySql.WINDOW_COLUMN) + " = ?", windowId));
  }
}
