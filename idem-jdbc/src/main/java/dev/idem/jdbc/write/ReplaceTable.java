package dev.idem.jdbc.write;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Replace_table: the whole table becomes this window's rows, in the window's transaction. Without a
 * key, delete everything and insert; with one, apply the difference so unchanged rows are not
 * rewritten. Every other window's rows are gone or now this window's: it supersedes them.
 */
final class ReplaceTable extends StepwiseStrategy {
  ReplaceTable(StrategySql sql, String window, TableStatistics statistics) {
    super(sql, window, statistics);
  }

  @Override
  Applied write(Connection connection, long rows) throws SQLException {
    if (sql.keys().isEmpty()) {
      long replaced = Jdbc.update(connection, sql.deleteAll(), null);
      long inserted = Jdbc.update(connection, sql.insertAll(), window);
      return new Applied(rows, inserted, 0, rows - inserted, 0, 0, replaced, List.of(), true);
    }
    long replaced = Jdbc.update(connection, sql.deleteMissing(true), null);
    long updated = Jdbc.update(connection, sql.replaceUpdate(), window);
    long inserted = insertNew(connection);
    return new Applied(
        rows, inserted, updated, rows - inserted - updated, 0, 0, replaced, List.of(), true);
  }
}
