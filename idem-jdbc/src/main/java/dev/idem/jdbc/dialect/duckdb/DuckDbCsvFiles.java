package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.SqlName;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.PlainText;
import dev.idem.source.CsvFiles;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A window's CSV files read by DuckDB's own reader (ADR 0009): every field as text into a private
 * table, then one query proves that each value of the window's records matches its type's {@link
 * PlainText} (and, for dates and timestamps, that DuckDB's cast accepts it), that every record of
 * the files has a window column value of that form, and counts the window's records; only then are
 * they cast and inserted into {@code staged}. The files' bytes were checked by the source ({@link
 * CsvFiles}): no quotes, so DuckDB's and Commons CSV's splitting cannot differ.
 */
final class DuckDbCsvFiles {
  /** The private table the fields are read into, as text. */
  private static final String RAW = SqlName.quote("_idem_csv");

  private static final DateTimeFormatter BOUND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

  private final CsvFiles files;
  private final Function<DataType, String> sqlType;

  DuckDbCsvFiles(CsvFiles files, Function<DataType, String> sqlType) {
    this.files = files;
    this.sqlType = sqlType;
  }

  /** The rows staged, or empty (nothing staged) when a value is not proven plain. */
  OptionalLong stage(Connection c) throws SQLException {
    List<Optional<String>> patterns = new ArrayList<>();
    for (Column column : files.columns().columns()) {
      Optional<String> p = PlainText.pattern(column.type());
      if (p.isEmpty()) {
        return OptionalLong.empty();
      }
      patterns.add(p);
    }
    read(c);
    try {
      long rows;
      try (PreparedStatement ps = c.prepareStatement(proof(patterns))) {
        bindBounds(ps, 2);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rows = rs.getLong(1);
          if (rs.getLong(2) != 0 || rs.getLong(3) != 0) {
            return OptionalLong.empty();
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(insert())) {
        bindBounds(ps, 1);
        long inserted = ps.executeUpdate();
        if (inserted != rows) {
          throw new SQLException(
              "staged " + inserted + " rows from the CSV files, counted " + rows);
        }
      }
      return OptionalLong.of(rows);
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + RAW);
      }
    }
  }

  /** Every field of every record of the files, as text (an empty field is NULL). */
  private void read(Connection c) throws SQLException {
    StringBuilder sql = new StringBuilder("CREATE TEMP TABLE ").append(RAW);
    sql.append(" AS SELECT * FROM read_csv([");
    for (int i = 0; i < files.files().size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append("], auto_detect = false, header = false, skip = ")
        .append(files.header() ? 1 : 0)
        .append(", delim = ?, quote = ?, escape = ?, strict_mode = true, null_padding = false")
        .append(", ignore_errors = false, columns = {");
    for (int i = 0; i < files.width(); i++) {
      sql.append(i == 0 ? "" : ", ").append('\'').append(field(i)).append("': 'VARCHAR'");
    }
    sql.append("})");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int at = 1;
      for (var f : files.files()) {
        ps.setString(at++, f.toAbsolutePath().toString());
      }
      ps.setString(at++, String.valueOf(files.delimiter()));
      ps.setString(at++, String.valueOf(files.quote()));
      ps.setString(at, String.valueOf(files.quote()));
      ps.execute();
    }
  }

  /**
   * The window's records, the records of the files whose window column is not plain, and the
   * window's records with a value that is not plain (or NULL in a NOT NULL column).
   */
  private String proof(List<Optional<String>> patterns) {
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < patterns.size(); i++) {
      ok.append(i == 0 ? "" : " AND ").append(plain(i, patterns.get(i).orElseThrow()));
    }
    String windowed = "TRUE";
    if (files.windowColumn() >= 0) {
      int w = files.windowColumn();
      windowed = plain(w, PlainText.pattern(column(w).type()).orElseThrow());
      windowed = "(" + fieldOf(w) + " IS NOT NULL AND " + windowed + ")";
    }
    return "SELECT count(*) FILTER (WHERE "
        + inWindow()
        + "), count(*) FILTER (WHERE NOT "
        + windowed
        + "), count(*) FILTER (WHERE "
        + inWindow()
        + " AND NOT ("
        + ok
        + ")) FROM "
        + RAW;
  }

  /**
   * Column {@code i}'s field is NULL where the column allows it, or text of its type's plain form
   * that DuckDB's cast accepts.
   */
  private String plain(int i, String pattern) {
    Column column = column(i);
    String f = fieldOf(i);
    String value;
    if (column.type().kind() == DataType.Kind.STRING) {
      value = "TRUE";
    } else {
      // the pattern is idem's own text for the declared type (PlainText), never input: it holds
      // no quote, and is written as a constant so that DuckDB compiles it once
      value = "regexp_full_match(" + f + ", '" + pattern.replace("'", "''") + "')";
      if (PlainText.needsCast(column.type())) {
        value += " AND TRY_CAST(" + f + " AS " + sqlType.apply(column.type()) + ") IS NOT NULL";
      }
    }
    return "("
        + f
        + " IS NULL AND "
        + (column.nullable() ? "TRUE" : "FALSE")
        + " OR "
        + f
        + " IS NOT NULL AND "
        + value
        + ")";
  }

  /** True for a record of the window: its window column cast falls within the bounds. */
  private String inWindow() {
    if (files.windowColumn() < 0) {
      return "TRUE";
    }
    int w = files.windowColumn();
    String at =
        "CAST(TRY_CAST("
            + fieldOf(w)
            + " AS "
            + sqlType.apply(column(w).type())
            + ") AS TIMESTAMP)";
    return "(" + at + " >= CAST(? AS TIMESTAMP) AND " + at + " < CAST(? AS TIMESTAMP))";
  }

  /** Binds the window's bounds for each of the {@code times} that {@link #inWindow} appears. */
  private void bindBounds(PreparedStatement ps, int times) throws SQLException {
    if (files.windowColumn() < 0) {
      return;
    }
    int at = 1;
    for (int k = 0; k < times; k++) {
      ps.setString(at++, bound(files.from()));
      ps.setString(at++, bound(files.until()));
    }
  }

  private static String bound(LocalDateTime t) {
    return BOUND.format(t);
  }

  /**
   * The insert of the window's records into {@code staged}, each value cast to its column's type.
   */
  private String insert() {
    StringBuilder sql =
        new StringBuilder("INSERT INTO ").append(SqlName.quote(Pipeline.STAGED)).append(" SELECT ");
    for (int i = 0; i < files.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ")
          .append("CAST(")
          .append(fieldOf(i))
          .append(" AS ")
          .append(sqlType.apply(column(i).type()))
          .append(')');
    }
    return sql.append(" FROM ").append(RAW).append(" WHERE ").append(inWindow()).toString();
  }

  private Column column(int i) {
    return files.columns().column(i);
  }

  /** Column {@code i}'s field in the raw table. */
  private String fieldOf(int i) {
    return field(files.positions().get(i));
  }

  private static String field(int position) {
    return "f" + position;
  }
}
