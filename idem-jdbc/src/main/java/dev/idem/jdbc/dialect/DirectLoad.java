package dev.idem.jdbc.dialect;

import dev.idem.jdbc.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * A window's rows held in memory and folded to one per key, then written straight into the target
 * by the database's bulk path inside the window's transaction, without a staging relation
 * (PostgreSQL: COPY under a savepoint). Only for a window whose keys are all new to the target: on
 * any key the target already holds the write is undone and the caller stages the held rows and
 * applies them as it always does. Rows the database would refuse are refused as they are held,
 * exactly as its staging path refuses them.
 */
public interface DirectLoad {
  /**
   * What is written: the rows' {@code columns} (the target's stored columns, also the staged ones),
   * the key, the {@code order_by} columns, the window, and the window's order key for a versioned
   * target (null otherwise).
   */
  record Plan(
      TableName table,
      List<String> columns,
      List<String> keys,
      List<String> orderBy,
      String window,
      String windowOrder) {
    public Plan {
      columns = List.copyOf(columns);
      keys = List.copyOf(keys);
      orderBy = List.copyOf(orderBy);
    }
  }

  /**
   * Holds {@code row} (throwing {@code RowRefusedException} for a row the database cannot take);
   * false, and nothing held, when it can hold no more (its memory bound, or duplicates it cannot
   * order as the database would): the caller then stages {@link #arrived} and this row.
   */
  boolean add(Object[] row);

  /** Every row held, in arrival order. */
  List<Object[]> arrived();

  /** Rows after the in-window dedup: one per key. */
  long keys();

  /**
   * Writes the kept rows straight into the target, stamped with the window (and its order key),
   * unless the target holds rows of this window already (a re-run: nothing new to write) or one of
   * the keys (the write is rolled back to where it began). Returns the rows inserted, or empty when
   * nothing was written and the caller must take the staged path. Call with the target locked.
   */
  OptionalLong load(Connection connection) throws SQLException;
}
