package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.destination.RowRefusedException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.ledger.DeadLetter;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.SourceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a window's target table refuses beyond the declared types, read from the catalog when the
 * window begins (a table another tool created or altered may be narrower than idem's own), and how
 * each kind of refusal is handled, so that a row the table refuses is split out where that depends
 * only on the row, and never cut or dropped unseen:
 *
 * <ul>
 *   <li>A length limit ({@code varchar(n)} on PostgreSQL; DuckDB enforces none) and {@code NOT
 *       NULL} on a column the pipeline declares nullable: checked in Java on each row before it is
 *       staged. A refused row is a dead letter with its position ({@link RowRefusedException}).
 *       PostgreSQL would otherwise fail the whole window naming no column ("value too long for type
 *       character varying(10)"), or cut a value whose excess characters are spaces without a word.
 *   <li>A {@code CHECK} constraint over columns the pipeline writes: evaluated in the engine on the
 *       staged rows before the strategy applies, one query and one {@code DELETE}; each row it
 *       refuses is a dead letter with its position, staged with the row for this purpose.
 *   <li>With a SQL transform the staged rows are not the target's: lengths and {@code NOT NULL} are
 *       checked on the transform's output, and a refused row fails the window naming the column,
 *       the limit and the first key (the row has no input position to keep).
 *   <li>What depends on other rows or tables (a {@code UNIQUE} constraint other than the key, a
 *       foreign key, an exclusion constraint) or on columns idem does not write (a CHECK reading
 *       them) fails the window when the database refuses it, rolled back, with one line naming the
 *       table, the constraint and the values the database names ({@link #explain}). Splitting such
 *       rows out would make a window's outcome depend on what other writers did and when, and a
 *       re-run could load what the first run refused.
 * </ul>
 */
final class TargetRules {
  /**
   * Staged beside each row when CHECK constraints are evaluated: its place in the window, and its
   * input position.
   */
  static final String ROW = "_idem_row";

  static final String POSITION = "_idem_position";

  private final TableName table;
  private final Pipeline pipeline;
  private final boolean transform;
  private final List<Limit> limits;
  private final List<Check> checks;

  /** A column's length limit (characters), or NOT NULL ({@code maxLength} 0). */
  private record Limit(String column, int at, int maxLength) {
    boolean notNull() {
      return maxLength == 0;
    }
  }

  /** A CHECK constraint: name, boolean expression, the columns it reads. */
  private record Check(String name, String expression, List<String> columns) {}

  private TargetRules(TableName table, Pipeline pipeline, List<Limit> limits, List<Check> checks) {
    this.table = table;
    this.pipeline = pipeline;
    this.transform = pipeline.transformSql() != null;
    this.limits = limits;
    this.checks = checks;
  }

  /** Reads the rules of {@code table} from the catalog (none if the table is missing). */
  static TargetRules read(Connection c, Dialect dialect, TableName table, Pipeline pipeline)
      throws SQLException {
    Target target = pipeline.target();
    Schema stored = target.storedColumns();
    // the columns rows are checked in: the staged ones, or the transform's output (by name)
    List<String> names =
        pipeline.transformSql() != null ? stored.names() : pipeline.stagedColumns().names();
    List<Limit> limits = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(dialect.catalog().columnRulesQuery())) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          int declared = stored.indexOf(name);
          if (declared < 0) {
            continue;
          }
          Column column = stored.column(declared);
          int at = names.indexOf(name);
          int length = rs.getInt(3);
          if (!rs.wasNull() && length > 0 && column.type().kind() == DataType.Kind.STRING) {
            limits.add(new Limit(name, at, length));
          }
          if ("NO".equalsIgnoreCase(rs.getString(2)) && column.nullable()) {
            limits.add(new Limit(name, at, 0));
          }
        }
      }
    }
    Map<String, Check> checks = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(dialect.catalog().checksQuery())) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String expression = rs.getString(2);
          // by name and expression: DuckDB names two CHECKs on one column alike
          checks
              .computeIfAbsent(
                  name + '\0' + expression, k -> new Check(name, expression, new ArrayList<>()))
              .columns()
              .add(rs.getString(3));
        }
      }
    }
    // only a CHECK over columns idem writes can be judged on a staged row; any other is the
    // database's to enforce
    List<Check> usable =
        checks.values().stream()
            .filter(k -> names.containsAll(k.columns()) && stored.names().containsAll(k.columns()))
            .toList();
    return new TargetRules(table, pipeline, limits, usable);
  }

  /**
   * True when rows are staged with their place and position, for CHECK constraints judged in the
   * engine.
   */
  boolean stagesPositions() {
    return !transform && !checks.isEmpty();
  }

  /**
   * The staged relation's columns: the pipeline's, plus {@link #ROW} and {@link #POSITION} when
   * {@link #stagesPositions}.
   */
  Schema stagedColumns() {
    Schema columns = pipeline.stagedColumns();
    return stagesPositions()
        ? columns.plus(Column.of(ROW, DataType.INTEGER)).plus(Column.of(POSITION, DataType.STRING))
        : columns;
  }

  /** The row as staged: with its place and position when {@link #stagesPositions}. */
  Object[] staged(Object[] row, long place, String position) {
    if (!stagesPositions()) {
      return row;
    }
    Object[] staged = Arrays.copyOf(row, row.length + 2);
    staged[row.length] = place;
    staged[row.length + 1] = position;
    return staged;
  }

  /**
   * Refuses, before it is staged, a row the table cannot hold (too long, or NULL where it is NOT
   * NULL).
   */
  void refuse(Object[] row) {
    if (transform) {
      return;
    }
    for (Limit l : limits) {
      Object v = row[l.at()];
      if (l.notNull() ? v == null : v instanceof String s && tooLong(s, l.maxLength())) {
        throw new RowRefusedException(reason(l, (String) v));
      }
    }
  }

  /**
   * True when a row staged without {@link #refuse} might be one it refuses: a NULL in a NOT NULL
   * column, or a string longer than its limit in characters (code points, as {@link #refuse} counts
   * them).
   */
  boolean mayRefuseStaged(Connection c) throws SQLException {
    if (transform || limits.isEmpty()) {
      return false;
    }
    StringBuilder where = new StringBuilder();
    for (Limit l : limits) {
      String column = SqlName.quote(l.column());
      where
          .append(where.length() == 0 ? "" : " OR ")
          .append(l.notNull() ? column + " IS NULL" : "length(" + column + ") > " + l.maxLength());
    }
    return Jdbc.queryLong(
            c, "SELECT count(*) FROM " + SqlName.quote(Pipeline.STAGED) + " WHERE " + where, null)
        > 0;
  }

  private static boolean tooLong(String s, int max) {
    // the limit counts characters (code points); a string has at least as many chars as code points
    return s.length() > max && s.codePointCount(0, s.length()) > max;
  }

  private String reason(Limit l, String value) {
    if (l.notNull()) {
      return "column "
          + l.column()
          + ": no value, but column "
          + l.column()
          + " of table "
          + table
          + " is NOT NULL";
    }
    return "column "
        + l.column()
        + ": "
        + ValueParser.show(value)
        + " has "
        + value.codePointCount(0, value.length())
        + " characters, more than the "
        + l.maxLength()
        + " column "
        + l.column()
        + " of table "
        + table
        + " holds (varchar("
        + l.maxLength()
        + ")); values are never cut";
  }

  /**
   * Moves the staged rows a CHECK constraint refuses out of the staged relation (one query, one
   * DELETE) and returns them as dead letters of the window, in staging order. None without such
   * constraints, or with a transform (see {@link #checkTransformed}).
   */
  List<DeadLetter> isolate(Connection c, String windowId) throws SQLException {
    if (!stagesPositions()) {
      return List.of();
    }
    String refused =
        checks.stream()
            .map(k -> "(" + k.expression() + ") IS FALSE")
            .collect(Collectors.joining(" OR "));
    StringBuilder which = new StringBuilder("CASE");
    for (int i = 0; i < checks.size(); i++) {
      which
          .append(" WHEN (")
          .append(checks.get(i).expression())
          .append(") IS FALSE THEN ")
          .append(i);
    }
    which.append(" END");
    List<String> columns = pipeline.stagedColumns().names();
    String staged = SqlName.quote(Pipeline.STAGED);
    List<DeadLetter> letters = new ArrayList<>();
    // plain statements: an expression from the catalog may hold a '?' (PostgreSQL's jsonb
    // operator),
    // which a prepared statement would take for a parameter
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT "
                    + SqlName.quote(POSITION)
                    + ", "
                    + which
                    + ", "
                    + SqlName.list(columns)
                    + " FROM "
                    + staged
                    + " WHERE "
                    + refused
                    + " ORDER BY "
                    + SqlName.quote(ROW))) {
      while (rs.next()) {
        Check check = checks.get(rs.getInt(2));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          values.add(rs.getString(3 + i));
        }
        String reason =
            "violates CHECK constraint "
                + check.name()
                + " of table "
                + table
                + ": "
                + check.expression()
                + ", with "
                + check.columns().stream()
                    .map(col -> col + " = " + shown(values.get(columns.indexOf(col))))
                    .collect(Collectors.joining(", "));
        letters.add(
            DeadLetter.of(windowId, SourceRecord.bad(rs.getString(1), values.toString(), reason)));
      }
    }
    long deleted;
    try (Statement st = c.createStatement()) {
      deleted = st.executeLargeUpdate("DELETE FROM " + staged + " WHERE " + refused);
    }
    if (deleted != letters.size()) {
      throw new IllegalStateException(
          "window "
              + windowId
              + ": "
              + letters.size()
              + " staged rows refused by a CHECK constraint, but "
              + deleted
              + " removed");
    }
    return letters;
  }

  private static String shown(String value) {
    return value == null ? "NULL" : ValueParser.show(value);
  }

  /**
   * With a transform: fails the window when a row of its output is too long for its column or NULL
   * where the table says NOT NULL, naming the column, the limit and the first such row's key
   * (rather than the database's "value too long for type character varying(10)" naming none).
   */
  void checkTransformed(Connection c, String windowId) throws SQLException {
    if (!transform || limits.isEmpty()) {
      return;
    }
    StringBuilder which = new StringBuilder("CASE");
    List<String> conditions = new ArrayList<>();
    for (int i = 0; i < limits.size(); i++) {
      Limit l = limits.get(i);
      String condition =
          l.notNull()
              ? SqlName.quote(l.column()) + " IS NULL"
              : "char_length(CAST("
                  + SqlName.quote(l.column())
                  + " AS VARCHAR)) > "
                  + l.maxLength();
      conditions.add(condition);
      which.append(" WHEN ").append(condition).append(" THEN ").append(i);
    }
    which.append(" END");
    Target target = pipeline.target();
    List<String> shown =
        target.key() != null ? target.key().targetColumns() : target.storedColumns().names();
    String text =
        shown.stream()
            .map(k -> "CAST(" + SqlName.quote(k) + " AS VARCHAR)")
            .collect(Collectors.joining(", "));
    String limited =
        limits.stream()
            .map(Limit::column)
            .distinct()
            .map(k -> "CAST(" + SqlName.quote(k) + " AS VARCHAR)")
            .collect(Collectors.joining(", "));
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) OVER (), "
                    + which
                    + ", "
                    + limited
                    + ", "
                    + text
                    + " FROM "
                    + SqlName.quote(StrategySql.TRANSFORMED)
                    + " WHERE "
                    + String.join(" OR ", conditions)
                    + " ORDER BY "
                    + SqlName.list(shown)
                    + " LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return;
      }
      long rows = rs.getLong(1);
      Limit l = limits.get(rs.getInt(2));
      List<String> limitedColumns = limits.stream().map(Limit::column).distinct().toList();
      String value = rs.getString(3 + limitedColumns.indexOf(l.column()));
      List<String> key = new ArrayList<>();
      for (int i = 0; i < shown.size(); i++) {
        key.add(rs.getString(3 + limitedColumns.size() + i));
      }
      throw new DataException(
          "window "
              + windowId
              + ": "
              + rows
              + " row"
              + (rows == 1 ? "" : "s")
              + " of the transform's output "
              + (rows == 1 ? "is" : "are")
              + " refused by table "
              + table
              + "; first, "
              + shown
              + "="
              + key
              + ": "
              + reason(l, value)
              + "; fix the transform or the table (nothing of the window was loaded)");
    }
  }

  /**
   * The one-line error for a row the database refused while the window was applied: the table, the
   * constraint and the values it names. Empty when {@code e} is no such refusal, or is a conflict
   * on the key's own unique index ({@code keyIndex}), which another runner's insert of the same key
   * causes and a retry resolves.
   */
  Optional<DataException> explain(
      Dialect dialect, SQLException e, String windowId, String keyIndex) {
    Optional<Dialect.Refusal> refusal = dialect.refusal(e);
    if (refusal.isEmpty()
        || (refusal.get().table() != null && !refusal.get().table().equals(table.table()))
        || (keyIndex != null && keyIndex.equals(refusal.get().constraint()))) {
      return Optional.empty();
    }
    return Optional.of(
        new DataException(
            "window "
                + windowId
                + ": table "
                + table
                + " refused a row, so nothing of the window was loaded: "
                + refusal.get().message()
                + " (idem splits out only rows too long or NULL for a column, or refused by a CHECK on the columns it writes)",
            e));
  }
}
