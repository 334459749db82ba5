package dev.idem.jdbc;

import dev.idem.jdbc.write.StrategySql;
import java.util.List;

/**
 * Test access to a database's content: a table's rows as {@link JdbcDestination#tableRows} renders
 * them, and statements that set up or tamper with a database.
 */
public final class TableSnapshot {
  private TableSnapshot() {}

  public static List<String> rows(JdbcDestination destination, String table) {
    return destination.tableRows(table);
  }

  /** Runs one statement in its own transaction (tests that set up or tamper with a database). */
  public static void execute(JdbcDestination destination, String sql) {
    destination.transaction(
        "execute",
        c -> {
          Jdbc.execute(c, sql);
          return null;
        });
  }

  /** Deletes a window's rows behind idem's back (tests of tampered targets). */
  public static long deleteWindow(JdbcDestination destination, String table, String windowId) {
    return destination.transaction(
        "delete window rows",
        c ->
            Jdbc.update(
                c,
                "DELETE FROM "
                    + TableName.parse(table).sql()
                    + " WHERE "
                    + SqlName.quote(StrategySql.WINDOW_COLUMN)
                    + " = ?",
                windowId));
  }
}
