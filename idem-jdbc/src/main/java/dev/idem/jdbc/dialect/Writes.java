package dev.idem.jdbc.dialect;

import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.TableStatistics;
import dev.idem.jdbc.write.WindowStrategy;
import dev.idem.pipeline.Target;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * How one window's write runs on a database: which statements apply its strategy, how writers of
 * one table are serialized, and how the transaction is named so that a COMMIT whose reply was lost
 * can be resolved. Defaults: the step-by-step strategies of {@link WindowStrategy#stepwise}, no
 * lock, no transaction id.
 */
public interface Writes {
  /**
   * The strategy object that applies window {@code window} to {@code target}, chosen once per
   * window. Default: the step-by-step statements over the deduplicated {@code idem_rows}.
   */
  default WindowStrategy strategy(
      Target target, StrategySql sql, String window, TableStatistics statistics) {
    return WindowStrategy.stepwise(target, sql, window, statistics);
  }

  /**
   * Appended to the INSERT of new keys where concurrent runners can insert the same key
   * (PostgreSQL: {@code ON CONFLICT (key) DO NOTHING}, {@code keyColumns} being the key's quoted
   * column list); empty when writers are serialized. Only a conflict on the key is skipped: a row
   * that breaks another unique constraint of the table is refused, never dropped unseen.
   */
  default String insertConflictClause(String keyColumns) {
    return "";
  }

  /**
   * Serializes, across processes, the apply-and-commit step of windows writing one table, held
   * until the transaction ends. Needed where statements of one window see other windows' commits
   * between them (READ COMMITTED): without it, a window could find a key absent when it updates and
   * present when it inserts, and so miss a newer version. Staging still runs in parallel.
   */
  default void lockTarget(Connection connection, String table) throws SQLException {}

  /**
   * The id of the open transaction, taken before COMMIT to resolve an unknown outcome; empty if the
   * database has none.
   */
  default Optional<String> transactionId(Connection connection) throws SQLException {
    return Optional.empty();
  }

  /**
   * Whether the transaction with this id committed, asked on a fresh connection after COMMIT was
   * lost: true, false (aborted), or empty while the server does not know yet (in progress).
   */
  default Optional<Boolean> committed(Connection fresh, String transactionId) throws SQLException {
    return Optional.empty();
  }
}
