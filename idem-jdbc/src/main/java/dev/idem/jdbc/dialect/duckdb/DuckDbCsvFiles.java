package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.SqlName;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.PlainText;
import dev.idem.source.CsvFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A window's CSV files read by DuckDB's own reader (ADR 0009), in one statement: every field is
 * read as text, and a value is cast to its column's type only when it matches the type's {@link
 * PlainText} (and, for dates and timestamps, DuckDB's cast accepts it); any other value, a NULL in
 * a NOT NULL column, or a record of the files whose window column is not plain, raises an error
 * instead, which aborts the statement with nothing staged (the caller rolls the transaction back
 * and takes the row path). The files' bytes were checked by the source ({@link CsvFiles}): one
 * record a line, quotes only around whole fields with a quote inside doubled, so DuckDB's and
 * Commons CSV's splitting cannot differ.
 */
final class DuckDbCsvFiles {
  private static final DateTimeFormatter BOUND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

  /** The error a value that is not plain raises; never shown (the row path takes the window). */
  private static final String NOT_PLAIN = "error('not plain')";

  /** Characters by which read_csv takes a file name for a glob pattern. */
  private static final Pattern GLOB = Pattern.compile("[*?\\[\\]{}\\\\]");

  private final CsvFiles files;
  private final Function<DataType, String> sqlType;

  DuckDbCsvFiles(CsvFiles files, Function<DataType, String> sqlType) {
    this.files = files;
    this.sqlType = sqlType;
  }

  /**
   * The rows staged; empty (no SQL run) when a column's type has no plain form. A value that is not
   * plain throws, with the statement undone.
   */
  OptionalLong stage(Connection c) throws SQLException {
    for (Path f : files.files()) {
      if (GLOB.matcher(f.toAbsolutePath().toString()).find()) {
        return OptionalLong.empty(); // read_csv would take the name for a pattern of other files
      }
    }
    for (Column column : files.columns().columns()) {
      if (PlainText.pattern(column.type()).isEmpty()) {
        return OptionalLong.empty();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(insert())) {
      int at = 1;
      for (Path f : files.files()) {
        ps.setString(at++, f.toAbsolutePath().toString());
      }
      ps.setString(at++, String.valueOf(files.delimiter()));
      ps.setString(at++, String.valueOf(files.quote()));
      ps.setString(at++, String.valueOf(files.quote()));
      if (files.windowColumn() >= 0) {
        ps.setString(at++, BOUND.format(files.from()));
        ps.setString(at, BOUND.format(files.until()));
      }
      return OptionalLong.of(ps.executeUpdate());
    }
  }

  /**
   * The insert of the window's records into {@code staged}: each value cast to its column's type,
   * the window's records only, and an error for a record of the window with a value that is not
   * plain or a NULL in a NOT NULL column, or for a record of the files whose window column is not
   * plain.
   *
   * <p>The checks are one condition in the filter, not a {@code CASE} a column: DuckDB binds a
   * statement's {@code CASE} expressions in time that grows with the square of their number (8,000
   * columns took 12.7 s that way and 2.2 s this way). A {@code CASE} evaluates its branches in
   * order for each record, so a record outside the window is dropped before its values are checked,
   * and a value is cast only once the filter passed its record.
   */
  String insert() {
    StringBuilder sql =
        new StringBuilder("INSERT INTO ").append(SqlName.quote(Pipeline.STAGED)).append(" SELECT ");
    StringBuilder checks = new StringBuilder();
    for (int i = 0; i < files.columns().size(); i++) {
      Column column = column(i);
      String f = fieldOf(i);
      sql.append(i == 0 ? "" : ", ")
          .append("CAST(")
          .append(f)
          .append(" AS ")
          .append(sqlType.apply(column.type()))
          .append(')');
      String check = valueCheck(i);
      if (!check.isEmpty()) {
        checks.append(checks.length() == 0 ? "" : " AND ").append(check);
      }
    }
    sql.append(" FROM read_csv([");
    for (int i = 0; i < files.files().size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append("], auto_detect = false, header = false, skip = ")
        .append(files.header() ? 1 : 0)
        .append(", delim = ?, quote = ?, escape = ?, strict_mode = true, null_padding = false")
        // a quoted empty field is the empty string, as Commons CSV reads it; only an unquoted one
        // is NULL
        .append(", allow_quoted_nulls = false")
        // the files as named: no folder read as a hive partition's column, nothing decompressed
        .append(", hive_partitioning = false, compression = 'none'")
        .append(", ignore_errors = false, columns = {");
    for (int i = 0; i < files.width(); i++) {
      sql.append(i == 0 ? "" : ", ").append('\'').append(field(i)).append("': 'VARCHAR'");
    }
    sql.append("})");
    StringBuilder filter = new StringBuilder();
    if (files.windowColumn() >= 0) {
      int w = files.windowColumn();
      String at =
          "CAST(CAST(" + fieldOf(w) + " AS " + sqlType.apply(column(w).type()) + ") AS TIMESTAMP)";
      filter
          .append(" WHEN ")
          .append(fieldOf(w))
          .append(" IS NULL OR NOT ")
          .append(plain(w))
          .append(" THEN ")
          .append(NOT_PLAIN)
          .append(" WHEN ")
          .append(at)
          .append(" < CAST(? AS TIMESTAMP) OR ")
          .append(at)
          .append(" >= CAST(? AS TIMESTAMP) THEN FALSE");
    }
    if (checks.length() > 0) {
      filter.append(" WHEN ").append(checks).append(" THEN TRUE ELSE ").append(NOT_PLAIN);
    } else if (filter.length() > 0) {
      filter.append(" ELSE TRUE");
    }
    if (filter.length() > 0) {
      sql.append(" WHERE CASE").append(filter).append(" END");
    }
    return sql.toString();
  }

  /**
   * The condition column {@code i}'s field meets in a record staged (empty when any field does): a
   * NULL only in a nullable column, else plain.
   */
  private String valueCheck(int i) {
    Column column = column(i);
    String f = fieldOf(i);
    boolean string = column.type().kind() == DataType.Kind.STRING;
    if (column.nullable()) {
      return string ? "" : "(" + f + " IS NULL OR " + plain(i) + ")";
    }
    return string ? f + " IS NOT NULL" : "(" + f + " IS NOT NULL AND " + plain(i) + ")";
  }

  /**
   * Column {@code i}'s non-null field is text of its type's plain form that DuckDB's cast accepts.
   */
  private String plain(int i) {
    DataType type = column(i).type();
    String f = fieldOf(i);
    // the pattern is idem's own text for the declared type (PlainText), never input: it holds no
    // quote, and is written as a constant so that DuckDB compiles it once
    String pattern = PlainText.pattern(type).orElseThrow();
    String plain = "regexp_full_match(" + f + ", '" + pattern.replace("'", "''") + "')";
    if (PlainText.needsCast(type)) {
      plain += " AND TRY_CAST(" + f + " AS " + sqlType.apply(type) + ") IS NOT NULL";
    }
    return "(" + plain + ")";
  }

  private Column column(int i) {
    return files.columns().column(i);
  }

  /** Column {@code i}'s field in a record read. */
  private String fieldOf(int i) {
    return field(files.positions().get(i));
  }

  private static String field(int position) {
    return "f" + position;
  }
}
