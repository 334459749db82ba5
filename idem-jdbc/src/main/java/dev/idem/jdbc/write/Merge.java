package dev.idem.jdbc.write;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Merge: deletes the keys flagged deleted by a newer version and records each delete's version as
 * the key's tombstone (when newer than the one it has), updates the rows whose incoming version is
 * newer than the target's row and the key's tombstone and differs, inserts the new keys that are
 * newer than their tombstone. Other windows that held one of the keys are reported, so that their
 * recorded row counts follow.
 */
final class Merge extends StepwiseStrategy {
  Merge(StrategySql sql, String window, TableStatistics statistics) {
    super(sql, window, statistics);
  }

  /**
   * A window of new keys (a first load), in three statements instead of the steps' six: when its
   * rows' keys are all distinct and none has a NULL part, dedup keeps every row; when the target
   * holds none of them, no row is updated or deleted, no other window shares a key, and every row
   * is inserted. That is what the steps would write, so it is written straight from {@code source}.
   * Only where writers are serialized ({@link StrategySql#insertSkipsConflicts} false: DuckDB), so
   * that nothing inserts one of the keys between the check and the insert, and without deletes.
   */
  @Override
  Applied straight(Connection connection, String source) throws SQLException {
    if (sql.deletes() != null || sql.insertSkipsConflicts() || sql.keys().isEmpty()) {
      return null;
    }
    long rows;
    long distinct;
    long nullKeys;
    try (PreparedStatement ps = connection.prepareStatement(sql.keyCounts(source));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      rows = rs.getLong(1);
      distinct = rs.getLong(2);
      nullKeys = rs.getLong(3);
    }
    if (distinct != rows
        || nullKeys > 0
        || Jdbc.queryLong(connection, sql.holdsAnyKey(source), null) > 0) {
      return null;
    }
    String insert = sql.insertAllFrom(source);
    long inserted;
    try (PreparedStatement ps = connection.prepareStatement(insert)) {
      List<String> binds = sql.insertAllFromBinds(window);
      for (int i = 0; i < binds.size(); i++) {
        ps.setString(i + 1, binds.get(i));
      }
      inserted = ps.executeLargeUpdate();
    }
    if (inserted != rows) {
      throw new IllegalStateException(
          "window " + window + ": inserted " + inserted + " of " + rows + " new keys");
    }
    return new Applied(rows, inserted, 0, 0, 0, 0, 0, List.of(), false);
  }

  @Override
  Applied write(Connection connection, long rows) throws SQLException {
    // a set filled as before this class existed, so the other windows are recounted in the same
    // order
    Set<String> affected = new HashSet<>();
    affected.addAll(strings(connection, sql.otherWindowsSharingKeys()));
    long deleted = 0;
    if (sql.deletes() != null) {
      deleted = Jdbc.update(connection, sql.mergeDelete(), window);
      TombstoneSql tombstones = sql.tombstones();
      if (tombstones != null) {
        // the delete's version is remembered whether or not a row was there to delete, so that
        // no older version, from any window, brings the key back
        Jdbc.update(connection, tombstones.raise(), window);
        Jdbc.update(connection, tombstones.insert(), window);
      }
    }
    long updated = Jdbc.update(connection, sql.mergeUpdate(), window);
    long inserted = insertNew(connection);
    return new Applied(
        rows,
        inserted,
        updated,
        rows - inserted - updated - deleted,
        0,
        deleted,
        0,
        new ArrayList<>(affected),
        false);
  }
}
