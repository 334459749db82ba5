package dev.idem.jdbc.dialect;

/**
 * How a database describes its tables: the queries that read a table's columns, indexes, column
 * rules and CHECK constraints, and the limits and indexes idem respects when it creates one. Only
 * SQL text and facts: the callers run the queries, binding the schema (or null for the default) and
 * the table name.
 */
public interface Catalog {
  /**
   * SQL that lists the names of a table's indexes: binds schema (or null for the default) and table
   * name.
   */
  String indexesQuery();

  /** SQL that lists a table's columns: binds schema (or null for the default) and table name. */
  String columnsQuery();

  /**
   * SQL that lists, per column of a table, whether it admits NULL ({@code YES}/{@code NO}) and the
   * most characters it holds (NULL when the database does not enforce a length): binds schema (or
   * null for the default) and table name.
   */
  default String columnRulesQuery() {
    return "SELECT column_name, is_nullable, character_maximum_length FROM information_schema.columns"
        + " WHERE table_catalog = current_database() AND table_schema = coalesce(?, current_schema()) AND table_name = ?";
  }

  /**
   * SQL that lists a table's CHECK constraints, one row per constraint and column it reads: name,
   * boolean expression (over the table's unqualified column names), column. Binds schema (or null
   * for the default) and table name.
   */
  String checksQuery();

  /** The most columns a table may have; a wider target is refused before any DDL runs. */
  default int maxColumns() {
    return Integer.MAX_VALUE;
  }

  /** Whether idem indexes the lineage column {@code _idem_window} of its target tables. */
  default boolean indexLineage() {
    return true;
  }
}
