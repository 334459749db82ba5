package dev.idem.jdbc.write;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Replace_window: without a key, deletes the window's slice and inserts its rows; with one, applies
 * the difference (deletes the keys that are gone, updates the changed rows, inserts the new keys),
 * after refusing a key another window holds.
 */
final class ReplaceWindow extends StepwiseStrategy {
  ReplaceWindow(StrategySql sql, String window, TableStatistics statistics) {
    super(sql, window, statistics);
  }

  @Override
  Applied write(Connection connection, long rows) throws SQLException {
    if (sql.keys().isEmpty()) {
      long replaced = Jdbc.update(connection, sql.deleteWindow(), window);
      long inserted = Jdbc.update(connection, sql.insertAll(), window);
      return new Applied(rows, inserted, 0, rows - inserted, 0, 0, replaced, List.of(), false);
    }
    rejectKeysOfOtherWindows(connection);
    long replaced = Jdbc.update(connection, sql.deleteMissing(false), window);
    long updated = Jdbc.update(connection, sql.replaceUpdate(), window);
    long inserted = insertNew(connection);
    return new Applied(
        rows, inserted, updated, rows - inserted - updated, 0, 0, replaced, List.of(), false);
  }

  private void rejectKeysOfOtherWindows(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.keyInOtherWindow())) {
      ps.setString(1, window);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          List<String> key = new ArrayList<>();
          for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
            key.add(rs.getString(i));
          }
          throw KeyRefusals.keyOfOtherWindow(window, sql.keys(), key, rs.getString(1));
        }
      }
    }
  }
}
