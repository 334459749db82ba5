package dev.idem.jdbc.write;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
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
