package dev.idem.jdbc.write;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Append: inserts the rows whose key is new; the others are skipped as existing. */
final class Append extends StepwiseStrategy {
  Append(StrategySql sql, String window, TableStatistics statistics) {
    super(sql, window, statistics);
  }

  @Override
  Applied write(Connection connection, long rows) throws SQLException {
    long inserted = insertNew(connection);
    return new Applied(rows, inserted, 0, 0, rows - inserted, 0, 0, List.of(), false);
  }
}
