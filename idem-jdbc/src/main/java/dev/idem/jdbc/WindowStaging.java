package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.destination.Completion;
import dev.idem.destination.RowRefusedException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.dialect.DirectLoad;
import dev.idem.jdbc.dialect.Staging;
import dev.idem.jdbc.dialect.Staging.Stager;
import dev.idem.ledger.DeadLetter;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.source.CsvFiles;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * A window's rows on their way into the private relation {@code staged}, through the dialect's bulk
 * path: rows the target would refuse are split out first ({@link TargetRules}), columns the input
 * gains are staged too (schema_drift evolve), and once staging ends the rows a CHECK constraint
 * refuses become dead letters before anything is applied. Given a {@link DirectLoad}, rows are held
 * in memory instead, and staged only if they cannot be held or loaded straight into the target.
 */
final class WindowStaging implements AutoCloseable {
  private final Dialect dialect;
  private final Connection connection;
  private final TableName table;
  private final TargetRules rules;
  private final String window;
  private Stager stager;
  private long staged;

  /** Where rows are held instead of staged, until it declines; null from then on. */
  private DirectLoad direct;

  /** Staged rows a CHECK constraint of the target refused (dead letters, no longer staged). */
  private long refused;

  WindowStaging(
      Dialect dialect,
      Connection connection,
      TableName table,
      TargetRules rules,
      String window,
      DirectLoad direct)
      throws SQLException {
    this.dialect = dialect;
    this.connection = connection;
    this.table = table;
    this.rules = rules;
    this.window = window;
    this.direct = direct;
    if (direct == null) {
      stager();
    }
  }

  /**
   * The bulk writer into {@code staged}: created at once, or with the first row staged after a
   * {@link DirectLoad} declined.
   */
  private Stager stager() throws SQLException {
    if (stager == null) {
      stager = dialect.staging().stage(connection, rules.stagedColumns());
    }
    return stager;
  }

  /** Stages the rows held so far; every row is staged from now on. */
  private void spill() throws SQLException {
    if (direct == null) {
      return;
    }
    List<Object[]> held = direct.arrived();
    direct = null;
    Stager s = stager();
    for (Object[] row : held) {
      s.add(row);
    }
  }

  /**
   * Loads the held rows straight into the target ({@link DirectLoad#load}), with the target locked:
   * the rows after dedup and the rows inserted, or empty when nothing was held or written and the
   * staged rows are to be applied (the held ones are staged now).
   */
  OptionalLong loadDirectly() throws SQLException {
    if (direct == null) {
      return OptionalLong.empty();
    }
    OptionalLong inserted = direct.load(connection);
    if (inserted.isPresent()) {
      direct = null;
      return inserted;
    }
    spill();
    finish();
    return OptionalLong.empty();
  }

  /** Rows staged and not refused since. */
  long staged() {
    return staged;
  }

  /** Staged rows a CHECK constraint of the target refused. */
  long refused() {
    return refused;
  }

  /**
   * Stages the window's records from CSV files the database reads itself ({@link
   * Staging#stageCsvFiles}), before any row was added: the number staged, or empty with nothing
   * staged when the bulk path cannot, a value is not proven, or the target would refuse a row (a
   * NULL in a NOT NULL column, a string that may be too long; such rows are dead letters, which
   * only the row path writes). An error of the database's reader rolls the window's transaction
   * back and starts staging afresh, as if this had not been called.
   */
  OptionalLong stageCsvFiles(CsvFiles files) {
    if (!readsCsvFiles() || !rules.stagedColumns().equals(files.columns())) {
      return OptionalLong.empty();
    }
    try {
      OptionalLong rows = dialect.staging().stageCsvFiles(connection, files);
      if (rows.isEmpty()) {
        return rows;
      }
      if (rules.mayRefuseStaged(connection)) {
        Jdbc.execute(connection, "DELETE FROM " + SqlName.quote(Pipeline.STAGED));
        return OptionalLong.empty();
      }
      staged = rows.getAsLong();
      return rows;
    } catch (SQLException e) {
      restart(e);
      return OptionalLong.empty();
    }
  }

  /**
   * Whether {@link #stageCsvFiles} may stage anything: the dialect has a CSV reader, nothing is
   * staged or held yet, and no row needs its position staged (CHECK constraints).
   */
  boolean readsCsvFiles() {
    return dialect.staging().readsCsvFiles()
        && direct == null
        && staged == 0
        && !rules.stagesPositions();
  }

  /**
   * Rolls back the window's transaction, which so far holds only {@code staged}, and creates it
   * again.
   */
  private void restart(SQLException cause) {
    try {
      Jdbc.closeQuietly(stager);
      stager = null;
      connection.rollback();
      stager();
    } catch (SQLException e) {
      e.addSuppressed(cause);
      throw Jdbc.translate(dialect, e, "window " + window + ": stage the rows again");
    }
  }

  /** Refuses a row the target cannot hold ({@link RowRefusedException}), else stages it. */
  void add(Object[] row, String position) {
    rules.refuse(row);
    try {
      if (direct != null) {
        if (direct.add(row)) {
          staged++;
          return;
        }
        spill();
      }
      stager().add(rules.staged(row, staged + 1, position));
      staged++;
    } catch (SQLException e) {
      throw Jdbc.translate(dialect, e, "window " + window + ": staging row " + (staged + 1));
    }
  }

  /**
   * Stages one more column, as {@code evolution} types it; the target itself gets the column when
   * the window applies, in its transaction ({@link SchemaEvolution#evolve}).
   */
  Column addColumn(Column proposed, SchemaEvolution evolution) {
    evolution.checkAddable(proposed, rules.stagesPositions());
    try {
      // the bulk path ends first: a PostgreSQL connection runs no query while a COPY is open
      spill();
      stager().finish();
      stager.close();
      Column column;
      try {
        column = evolution.stageable(proposed);
      } catch (DataException refused) {
        // the record showing the column is refused; staging goes on with the columns so far
        stager = dialect.staging().restage(connection, evolution.staged());
        throw refused;
      }
      Jdbc.execute(connection, evolution.stagedColumnDdl(column));
      stager = dialect.staging().restage(connection, evolution.added(column));
      return column;
    } catch (SQLException e) {
      throw Jdbc.translate(
          dialect, e, "window " + window + ": stage input column " + proposed.name());
    }
  }

  /**
   * Ends the bulk path: the staged rows are queryable from now on. Rows still held stay held, for
   * {@link #loadDirectly}.
   */
  void finish() throws SQLException {
    if (direct != null) {
      return;
    }
    stager().finish();
    stager.close();
  }

  /**
   * Moves the staged rows a CHECK constraint of the target refuses to the window's dead letters,
   * before anything is applied, and reports them to {@code completion}: the runner judges them
   * against the pipeline's bad-record limits with the window's other bad records, and past them the
   * window fails (this throws), rolled back, with these letters kept.
   */
  void isolateRefusedRows(Completion completion, DeadLetters.Pending deadLetters) {
    List<DeadLetter> letters;
    try {
      letters = rules.isolate(connection, window);
    } catch (SQLException e) {
      throw Jdbc.translate(
          dialect,
          e,
          "window "
              + window
              + ": evaluate the CHECK constraints of table "
              + table
              + " on the staged rows");
    }
    if (letters.isEmpty()) {
      return;
    }
    letters.forEach(deadLetters::add);
    refused = letters.size();
    staged -= refused;
    completion.refused(letters);
  }

  @Override
  public void close() {
    Jdbc.closeQuietly(stager);
  }
}
