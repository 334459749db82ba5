package dev.idem.jdbc.write;

import dev.idem.pipeline.Target;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One write strategy (append, merge, replace_window, replace_table) applied to one window's rows,
 * chosen once per window by the dialect ({@code Writes.strategy}). It runs inside the window's
 * transaction, after staging and the transform and before the ledger update, and writes only the
 * target table; the caller records what it reports.
 */
public interface WindowStrategy {
  /**
   * Applies the window's rows in temporary relation {@code source} (staged or transformed) to the
   * target. A NULL key, or (replace_window) a key another window holds, fails the window with a
   * {@code DataException}; the caller's rollback discards whatever was written.
   */
  Applied apply(Connection connection, String source) throws SQLException;

  /**
   * The step-by-step statements over the deduplicated {@code idem_rows}, the same on every
   * database.
   */
  static WindowStrategy stepwise(
      Target target, StrategySql sql, String window, TableStatistics statistics) {
    return switch (target.strategy()) {
      case APPEND -> new Append(sql, window, statistics);
      case MERGE -> new Merge(sql, window, statistics);
      case REPLACE_WINDOW -> new ReplaceWindow(sql, window, statistics);
      case REPLACE_TABLE -> new ReplaceTable(sql, window, statistics);
    };
  }
}
