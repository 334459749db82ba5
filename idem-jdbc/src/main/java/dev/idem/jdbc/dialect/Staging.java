package dev.idem.jdbc.dialect;

import dev.idem.jdbc.SqlName;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.CsvFiles;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A database's bulk path into a window's private staging relation {@code staged} (PostgreSQL COPY,
 * the DuckDB appender): rows are streamed, never inserted one statement at a time.
 */
public interface Staging {
  /**
   * Creates the private relation {@code staged} (visible to this connection only) with the given
   * columns, and returns a bulk writer into it.
   */
  Stager stage(Connection connection, Schema columns) throws SQLException;

  /**
   * A new bulk writer into the existing relation {@code staged}, whose columns are now {@code
   * columns} (one was added after the previous writer was finished and closed).
   */
  Stager restage(Connection connection, Schema columns) throws SQLException;

  /**
   * A writer that loads a window whose keys are all new straight into the target, skipping the
   * staging relation ({@link DirectLoad}); empty where the database has none.
   */
  default Optional<DirectLoad> direct(DirectLoad.Plan plan) {
    return Optional.empty();
  }

  /**
   * Stages the window's records from CSV files the database reads itself, each value cast by the
   * database, when every value is proven to be one {@link dev.idem.schema.ValueParser} reads as the
   * value the cast gives ({@link CsvFiles}, ADR 0009); the number of rows staged, or empty with
   * nothing staged where the database has no such reader or a value is not proven. {@code staged}
   * must have exactly {@code files.columns()}. An {@link SQLException} leaves the transaction for
   * the caller to roll back.
   */
  default OptionalLong stageCsvFiles(Connection connection, CsvFiles files) throws SQLException {
    return OptionalLong.empty();
  }

  /** Whether {@link #stageCsvFiles} can stage anything: the database reads CSV files itself. */
  default boolean readsCsvFiles() {
    return false;
  }

  /**
   * Gathers planner statistics on a freshly filled temporary table, so that joins between a
   * window's few rows and a large target use the key index instead of scanning the target.
   */
  default void analyze(Connection connection, String temporaryTable) throws SQLException {}

  /** Bulk writer into the staging relation. */
  interface Stager extends AutoCloseable {
    void add(Object[] row) throws SQLException;

    /** Flushes buffered rows; after this the staged rows are queryable. */
    void finish() throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /**
   * {@code CREATE TEMP TABLE "staged" (...)} with the given column types, followed by {@code
   * suffix}.
   */
  static String stagingTable(Schema columns, Function<DataType, String> sqlType, String suffix) {
    StringBuilder ddl =
        new StringBuilder("CREATE TEMP TABLE ").append(SqlName.quote(Pipeline.STAGED)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.column(i);
      ddl.append(i == 0 ? "" : ", ")
          .append(SqlName.quote(c.name()))
          .append(' ')
          .append(sqlType.apply(c.type()));
    }
    return ddl.append(')').append(suffix).toString();
  }
}
