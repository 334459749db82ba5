package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.dialect.Catalog;

/** PostgreSQL's catalog: information_schema where it is fast enough, pg_catalog where it is not. */
final class PostgresCatalog implements Catalog {
  /** MaxHeapAttributeNumber: a table has at most 1,600 columns (fewer if its rows are wide). */
  @Override
  public int maxColumns() {
    return 1600;
  }

  @Override
  public String columnsQuery() {
    return "SELECT column_name, CASE WHEN data_type = 'numeric' THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')'"
        + " ELSE data_type END FROM information_schema.columns"
        + " WHERE table_schema = coalesce(?, current_schema()) AND table_name = ? ORDER BY ordinal_position";
  }

  @Override
  public String indexesQuery() {
    return "SELECT indexname FROM pg_indexes WHERE schemaname = coalesce(?, current_schema()) AND tablename = ?";
  }

  /**
   * From pg_attribute rather than information_schema: this runs as each window begins, and the view
   * is far slower.
   */
  @Override
  public String columnRulesQuery() {
    return "SELECT a.attname, CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END,"
        + " CASE WHEN a.atttypid = CAST('character varying' AS regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END"
        + " FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid = (SELECT c.oid FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = coalesce(?, current_schema()) AND c.relname = ?)";
  }

  @Override
  public String checksQuery() {
    return "SELECT con.conname, pg_get_expr(con.conbin, con.conrelid), a.attname FROM pg_constraint con"
        + " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)"
        + " WHERE con.contype = 'c' AND con.conrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = coalesce(?, current_schema()) AND c.relname = ?) ORDER BY con.conname, a.attname";
  }
}
