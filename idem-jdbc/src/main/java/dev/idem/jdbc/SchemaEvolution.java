package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.TransientException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Schema_drift evolve for one window: which columns the input gained (staged after the pipeline's
 * staged columns, typed like the target's column of that name when it has one), and, when the
 * window applies, the target's own columns added in the window's transaction.
 */
final class SchemaEvolution {
  private final Dialect dialect;
  private final Connection connection;
  private final Pipeline pipeline;
  private final TableName table;
  private final String window;

  /**
   * Columns the input gained (evolve), staged after the pipeline's staged columns, in the order
   * they came.
   */
  private final List<Column> added = new ArrayList<>();

  /**
   * The target's columns as this window's transaction first saw them (read when a column is added).
   */
  private Map<String, String> targetColumns;

  SchemaEvolution(
      Dialect dialect, Connection connection, Pipeline pipeline, TableName table, String window) {
    this.dialect = dialect;
    this.connection = connection;
    this.pipeline = pipeline;
    this.table = table;
    this.window = window;
  }

  /**
   * Refuses an input column that cannot be added to this target, before anything is staged for it.
   */
  void checkAddable(Column proposed, boolean stagesPositions) {
    if (proposed.name().startsWith("_idem_")) {
      throw new DataException(
          "input column '"
              + proposed.name()
              + "' uses idem's reserved prefix _idem_: it cannot be added to table "
              + table);
    }
    if (stagesPositions) {
      // the rows' places and positions are staged after the declared columns for the CHECK
      // evaluation
      throw new DataException(
          "table "
              + table
              + " has CHECK constraints idem evaluates on the staged rows, so schema_drift evolve cannot"
              + " add input column '"
              + proposed.name()
              + "' to it: declare the column in the pipeline");
    }
  }

  /**
   * The column to stage for {@code proposed}: of the target's own type when the target has a column
   * of that name already (an earlier window added it, or a person changed it), so values are
   * converted strictly by the reader instead of by a cast here. Runs with no bulk load open.
   */
  Column stageable(Column proposed) throws SQLException {
    if (targetColumns == null) {
      targetColumns = new TargetTable(dialect, table, pipeline.target()).columns(connection);
    }
    String existing = targetColumns.get(proposed.name());
    if (existing != null && !dialect.compatible(proposed.type(), existing)) {
      DataType type =
          dialect
              .dataType(existing)
              .orElseThrow(
                  () ->
                      new DataException(
                          "table "
                              + table
                              + ": column "
                              + proposed.name()
                              + " is "
                              + existing
                              + ", which idem cannot load the input's "
                              + proposed.type()
                              + " values into: declare the column in the pipeline"));
      return new Column(proposed.name(), type, true);
    }
    return proposed;
  }

  /** Records a column now staged; returns every staged column. */
  Schema added(Column column) {
    added.add(column);
    return staged();
  }

  /** Every staged column: the pipeline's, then the columns the input added so far. */
  Schema staged() {
    List<Column> all = new ArrayList<>(pipeline.stagedColumns().columns());
    all.addAll(added);
    return new Schema(all);
  }

  /**
   * Under the target's lock: adds the columns the input gained to the target (nullable; in this
   * transaction, so they appear with the window's rows or not at all), and stages the target's
   * other undeclared columns as NULL, so the window writes whole rows of the target's current
   * columns whatever order windows load in. Returns the target with those columns.
   */
  Target evolve() throws SQLException {
    Target target = pipeline.target();
    TargetTable targetTable = new TargetTable(dialect, table, target);
    Map<String, String> now = targetTable.columns(connection);
    Set<String> known = new HashSet<>(target.storedColumns().names());
    known.add(StrategySql.WINDOW_COLUMN);
    known.add(StrategySql.WINDOW_ORDER_COLUMN);
    added.forEach(c -> known.add(c.name()));
    List<Column> columns = new ArrayList<>(target.columns().columns());
    for (Map.Entry<String, String> e : now.entrySet()) {
      Optional<DataType> type =
          e.getValue() == null ? Optional.empty() : dialect.dataType(e.getValue());
      if (!known.contains(e.getKey()) && type.isPresent()) {
        Column c = new Column(e.getKey(), type.get(), true);
        Jdbc.execute(connection, stagedColumnDdl(c));
        columns.add(c);
      }
    }
    for (Column c : added) {
      String existing = now.get(c.name());
      if (existing == null) {
        Jdbc.execute(connection, targetTable.addColumn(c));
      } else if (!dialect.compatible(c.type(), existing)) {
        throw new TransientException(
            "window "
                + window
                + ": column "
                + c.name()
                + " of table "
                + table
                + " became "
                + existing
                + " while the window was staged as "
                + c.type()
                + " (another window added it): retrying",
            null);
      }
      columns.add(c);
    }
    if (columns.size() == target.columns().size()) {
      return target;
    }
    return new Target(
        target.table(),
        new Schema(columns),
        target.key(),
        target.strategy(),
        target.orderBy(),
        target.deletes());
  }

  /** {@code ALTER TABLE "staged" ADD COLUMN ...}: one more staged column. */
  String stagedColumnDdl(Column column) {
    return "ALTER TABLE "
        + SqlName.quote(Pipeline.STAGED)
        + " ADD COLUMN "
        + SqlName.quote(column.name())
        + " "
        + dialect.sqlType(column.type());
  }
}
