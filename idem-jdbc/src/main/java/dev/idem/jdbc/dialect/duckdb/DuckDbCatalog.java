package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.dialect.Catalog;

/** DuckDB's catalog: its information_schema and {@code duckdb_*} table functions. */
final class DuckDbCatalog implements Catalog {
  @Override
  public String columnsQuery() {
    return "SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_catalog = current_database() AND table_schema = coalesce(?, current_schema()) AND table_name = ?"
        + " ORDER BY ordinal_position";
  }

  /**
   * DuckDB keeps no names of its own for CHECK constraints: it derives them from table and columns.
   */
  @Override
  public String checksQuery() {
    return "SELECT constraint_name, expression, unnest(constraint_column_names) FROM duckdb_constraints()"
        + " WHERE constraint_type = 'CHECK' AND database_name = current_database() AND schema_name = coalesce(?, current_schema())"
        + " AND table_name = ? ORDER BY 1, 3";
  }

  @Override
  public String indexesQuery() {
    return "SELECT index_name FROM duckdb_indexes()"
        + " WHERE database_name = current_database() AND schema_name = coalesce(?, current_schema()) AND table_name = ?";
  }

  /**
   * No: a DuckDB (ART) index on a column turns every UPDATE of that column into a delete and an
   * insert, and on a reopened file the table's unique key index then refuses the re-inserted keys
   * ("Duplicate key ... violates unique constraint", see DuckDB's "Limitations of ART indexes").
   * Merge and replace update {@code _idem_window}, so it stays unindexed; DuckDB's per-segment
   * min/max statistics already keep {@code WHERE _idem_window = ?} cheap.
   */
  @Override
  public boolean indexLineage() {
    return false;
  }
}
