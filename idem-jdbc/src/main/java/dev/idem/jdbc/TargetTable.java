package dev.idem.jdbc;

import dev.idem.ConfigException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.TombstoneSql;
import dev.idem.pipeline.Target;
import dev.idem.schema.Column;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates a pipeline's target table (declared columns, lineage column, unique index on the key,
 * index on the lineage column) or checks that an existing one is compatible. It never alters an
 * existing column: a mismatch is an error that names the column, what it is and what was expected.
 */
final class TargetTable {
  private final Dialect dialect;
  private final TableName name;
  private final Target target;

  TargetTable(Dialect dialect, TableName name, Target target) {
    this.dialect = dialect;
    this.name = name;
    this.target = target;
    int width = target.storedColumns().size() + (target.versioned() ? 2 : 1);
    if (width > dialect.catalog().maxColumns()) {
      throw new ConfigException(
          "table "
              + name
              + ": "
              + width
              + " columns (with idem's "
              + StrategySql.WINDOW_COLUMN
              + "), more than the "
              + dialect.catalog().maxColumns()
              + " "
              + dialect.product()
              + " allows in a table: declare fewer columns"
              + " (input columns that are not declared are ignored)");
    }
  }

  /** The DDL that creates the table (an idempotent statement, with its schema's). */
  List<String> createStatements() {
    List<String> ddl = new ArrayList<>();
    if (name.schema() != null) {
      ddl.add("CREATE SCHEMA IF NOT EXISTS " + SqlName.quote(name.schema()));
    }
    StringBuilder t =
        new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(name.sql()).append(" (");
    for (Column c : target.storedColumns().columns()) {
      t.append(SqlName.quote(c.name()))
          .append(' ')
          .append(dialect.sqlType(c.type()))
          .append(c.nullable() ? "" : " NOT NULL")
          .append(", ");
    }
    t.append(SqlName.quote(StrategySql.WINDOW_COLUMN)).append(" VARCHAR NOT NULL");
    if (target.versioned()) {
      t.append(", ").append(windowOrderColumn());
    }
    t.append(')');
    ddl.add(t.toString());
    return ddl;
  }

  /** The window order key column of a versioned target, with its bytewise type. */
  private String windowOrderColumn() {
    return SqlName.quote(StrategySql.WINDOW_ORDER_COLUMN) + " " + dialect.bytewiseText();
  }

  /** Adds a nullable column to the table (schema_drift evolve). */
  String addColumn(Column column) {
    return "ALTER TABLE "
        + name.sql()
        + " ADD COLUMN "
        + SqlName.quote(column.name())
        + " "
        + dialect.sqlType(column.type());
  }

  /** The unique index on the key and the index on the lineage column (idempotent statements). */
  List<String> indexStatements() {
    List<String> ddl = new ArrayList<>();
    String on = name.sql();
    if (target.key() != null) {
      ddl.add(
          "CREATE UNIQUE INDEX IF NOT EXISTS "
              + SqlName.quote(keyIndex())
              + " ON "
              + on
              + " ("
              + SqlName.list(target.key().targetColumns())
              + ")");
    }
    if (dialect.catalog().indexLineage()) {
      ddl.add(
          "CREATE INDEX IF NOT EXISTS "
              + SqlName.quote(name.derived("window"))
              + " ON "
              + on
              + " ("
              + SqlName.quote(StrategySql.WINDOW_COLUMN)
              + ")");
    }
    return ddl;
  }

  /** The key index's name carries a hash of the key's columns, so a changed key is noticed. */
  String keyIndex() {
    String columns = String.join("\u0000", target.key().targetColumns());
    return name.derived("key") + "_" + Integer.toHexString(columns.hashCode() & 0xfffff);
  }

  /**
   * Creates the table if missing, else checks it. Indexes are created by {@link #ensureIndexes} in
   * a later transaction: DuckDB cannot commit a table dropped and re-created in one process
   * together with its indexes ("Could not commit creation of dependency, subject ... has been
   * deleted").
   */
  void ensureTable(Connection c, WindowKind windows) throws SQLException {
    Map<String, String> existing = columns(c);
    TombstoneSql tombstones = new StrategySql(name, target, k -> "").tombstones();
    if (existing.isEmpty()) {
      for (String sql : createStatements()) {
        Jdbc.execute(c, sql);
      }
      // tombstones go with the rows they belong to: a new table starts without any, even if an
      // earlier table of that name (dropped outside idem) left some
      Jdbc.execute(c, "DROP TABLE IF EXISTS " + TombstoneSql.table(name).sql());
    } else {
      check(existing);
      if (target.versioned() && !existing.containsKey(StrategySql.WINDOW_ORDER_COLUMN)) {
        addWindowOrder(c, windows);
      }
    }
    if (tombstones != null) {
      Jdbc.execute(c, tombstones.create(dialect::sqlType, dialect.bytewiseText()));
    }
  }

  /**
   * A versioned target made by an idem without window order keys (or by a pipeline without
   * order_by, or another strategy): adds {@code _idem_window_order} and fills it for the rows there
   * are, from each row's window id read as a window of the pipeline's kind. Two runners may do this
   * at the same moment: the column is added if missing, and only empty keys are filled.
   */
  private void addWindowOrder(Connection c, WindowKind windows) throws SQLException {
    Jdbc.execute(
        c, "ALTER TABLE " + name.sql() + " ADD COLUMN IF NOT EXISTS " + windowOrderColumn());
    String w = SqlName.quote(StrategySql.WINDOW_COLUMN);
    String k = SqlName.quote(StrategySql.WINDOW_ORDER_COLUMN);
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT " + w + " FROM " + name.sql() + " WHERE " + k + " IS NULL");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + name.sql()
                + " SET "
                + k
                + " = ? WHERE "
                + w
                + " = ? AND "
                + k
                + " IS NULL")) {
      for (String id : ids) {
        ps.setString(1, Window.orderKey(windows, id));
        ps.setString(2, id);
        ps.executeUpdate();
      }
    }
  }

  void ensureIndexes(Connection c) throws SQLException {
    if (target.key() != null) {
      String prefix = name.derived("key");
      for (String index : indexes(c)) {
        if (index.startsWith(prefix) && !index.equals(keyIndex())) {
          throw new ConfigException(
              "table "
                  + name
                  + " has idem's unique index "
                  + index
                  + " for another key than "
                  + target.key().targetColumns()
                  + ": drop that index (or the table, with --full-refresh) to change the key");
        }
      }
    }
    for (String sql : indexStatements()) {
      Jdbc.execute(c, sql);
    }
  }

  void check(Map<String, String> existing) {
    for (Column col : target.storedColumns().columns()) {
      String type = existing.get(col.name());
      if (type == null) {
        throw new ConfigException(
            "table "
                + name
                + " exists but has no column "
                + col.name()
                + " ("
                + col.type()
                + "); add it, or load into a new table");
      }
      if (!dialect.compatible(col.type(), type)) {
        throw new ConfigException(
            "table "
                + name
                + ": column "
                + col.name()
                + " is "
                + type
                + ", the pipeline declares "
                + col.type()
                + " ("
                + dialect.sqlType(col.type())
                + ")");
      }
    }
    if (!existing.containsKey(StrategySql.WINDOW_COLUMN)) {
      throw new ConfigException(
          "table "
              + name
              + " exists but was not created by idem: it has no lineage column "
              + StrategySql.WINDOW_COLUMN);
    }
  }

  List<String> indexes(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(dialect.catalog().indexesQuery())) {
      ps.setString(1, name.schema());
      ps.setString(2, name.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  Map<String, String> columns(Connection c) throws SQLException {
    Map<String, String> cols = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(dialect.catalog().columnsQuery())) {
      ps.setString(1, name.schema());
      ps.setString(2, name.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cols.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return cols;
  }
}
