package dev.idem.jdbc;

import dev.idem.ConfigException;

/** A table name, optionally schema-qualified ({@code schema.table}); rendered quoted. */
public record TableName(String schema, String table) {
  public TableName {
    if (table == null || table.isEmpty()) {
      throw new ConfigException("a table name cannot be empty");
    }
  }

  /** Parses {@code table} or {@code schema.table} (split at the first dot). */
  public static TableName parse(String text) {
    int dot = text.indexOf('.');
    return dot < 0
        ? new TableName(null, text)
        : new TableName(text.substring(0, dot), text.substring(dot + 1));
  }

  public String sql() {
    return schema == null
        ? SqlName.quote(table)
        : SqlName.quote(schema) + "." + SqlName.quote(table);
  }

  /** A name derived from this table for its indexes, short and safe: {@code <table>_<suffix>}. */
  public String derived(String suffix) {
    String base = table.replaceAll("[^A-Za-z0-9_]", "_");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    return base + "_" + Integer.toHexString(toString().hashCode() & 0xfffff) + "_" + suffix;
  }

  @Override
  public String toString() {
    return schema == null ? table : schema + "." + table;
  }
}
