package dev.idem.pipeline;

import dev.idem.ConfigException;
import dev.idem.key.KeySpec;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.util.HashSet;
import java.util.List;

/**
 * The table a pipeline writes and how. {@code columns} are the target's declared columns (the
 * transform's output, or the input when there is no transform). {@code orderBy} names the columns
 * (empty for none) that give a row's version, compared in declared order, the first that differs
 * deciding, NULL least: the greatest version wins among rows with the same key, within a window and
 * across windows (on equal versions across windows, the earlier window in window order, {@code
 * Window.orderKey}); {@code deletes} (merge only; null for none) says which incoming records delete
 * their key.
 */
public record Target(
    String table,
    Schema columns,
    KeySpec key,
    WriteStrategy strategy,
    List<String> orderBy,
    DeleteRule deletes) {
  public Target {
    orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
    if (new HashSet<>(orderBy).size() < orderBy.size()) {
      throw new ConfigException("order_by names a column twice: " + orderBy);
    }
    if (table == null || table.isBlank()) {
      throw new ConfigException("target needs a table name");
    }
    if (strategy == null) {
      throw new ConfigException(
          "target " + table + " needs a strategy: append, merge, replace_window or replace_table");
    }
    if (key == null && (strategy == WriteStrategy.APPEND || strategy == WriteStrategy.MERGE)) {
      throw new ConfigException(
          "strategy "
              + strategy.label()
              + " needs a key: without one a re-run cannot tell new rows from rows it already wrote");
    }
    if (deletes != null && strategy != WriteStrategy.MERGE) {
      throw new ConfigException(
          "deletes (delete_flag) work with strategy merge only, not " + strategy.label());
    }
  }

  /**
   * Whether the target keeps versions across windows: merge with {@code order_by}. Its rows then
   * carry the window order key of the window that wrote them, for ties.
   */
  public boolean versioned() {
    return strategy == WriteStrategy.MERGE && !orderBy.isEmpty();
  }

  /** Whether records can delete keys (a delete rule is declared). */
  public boolean hasDeletes() {
    return deletes != null;
  }

  /** The target's columns as stored: declared columns plus {@code _idem_key} for a hash key. */
  public Schema storedColumns() {
    if (key != null
        && key.kind() == KeySpec.Kind.HASH
        && columns.indexOf(KeySpec.HASH_COLUMN) < 0) {
      return columns.plus(Column.of(KeySpec.HASH_COLUMN, DataType.STRING));
    }
    return columns;
  }
}
