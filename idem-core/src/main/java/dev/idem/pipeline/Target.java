package dev.idem.pipeline;

import dev.idem.ConfigException;
import dev.idem.key.KeySpec;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;

/**
 * The table a pipeline writes and how. {@code columns} are the target's declared columns (the
 * transform's output, or the input when there is no transform). {@code orderBy} names the column
 * whose greatest value wins among rows with the same key, within a window and across windows;
 * {@code deletes} (merge only; null for none) says which incoming records delete their key.
 */
public record Target(
    String table,
    Schema columns,
    KeySpec key,
    WriteStrategy strategy,
    String orderBy,
    DeleteRule deletes) {
  public Target {
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
