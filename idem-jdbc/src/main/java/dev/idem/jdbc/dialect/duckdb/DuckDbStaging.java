package dev.idem.jdbc.dialect.duckdb;

import dev.idem.DataException;
import dev.idem.jdbc.dialect.Staging;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.CsvFiles;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import java.util.function.Function;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** DuckDB's bulk path: a temporary table filled by the appender, in the window's transaction. */
final class DuckDbStaging implements Staging {
  private final Function<DataType, String> sqlType;

  DuckDbStaging(Function<DataType, String> sqlType) {
    this.sqlType = sqlType;
  }

  @Override
  public Stager stage(Connection connection, Schema columns) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(
          Staging.stagingTable(
              columns, sqlType, "")); // also makes the appender join this transaction
    }
    return restage(connection, columns);
  }

  @Override
  public boolean readsCsvFiles() {
    return true;
  }

  @Override
  public OptionalLong stageCsvFiles(Connection connection, CsvFiles files) throws SQLException {
    return new DuckDbCsvFiles(files, sqlType).stage(connection);
  }

  /**
   * An appender joins the transaction only after a statement ran in it: the CREATE or the ALTER of
   * {@code staged} did.
   */
  @Override
  public Stager restage(Connection connection, Schema columns) throws SQLException {
    DuckDBAppender appender =
        connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", Pipeline.STAGED);
    return new AppenderStager(appender, columns);
  }

  /** The DuckDB appender: rows go into the staging table in vectors, not statement by statement. */
  private static final class AppenderStager implements Stager {
    private final DuckDBAppender appender;
    private final int[] scales;

    AppenderStager(DuckDBAppender appender, Schema columns) {
      this.appender = appender;
      this.scales = new int[columns.size()];
      for (int i = 0; i < scales.length; i++) {
        scales[i] = columns.column(i).type().scale();
      }
    }

    @Override
    public void add(Object[] row) throws SQLException {
      appender.beginRow();
      for (int c = 0; c < row.length; c++) {
        Object v = row[c];
        if (v == null) {
          appender.appendNull();
        } else if (v instanceof String s) {
          appender.append(s);
        } else if (v instanceof Long l) {
          appender.append(l.longValue());
        } else if (v instanceof Integer i) {
          appender.append(i.longValue());
        } else if (v instanceof BigDecimal d) {
          appender.append(d.scale() == scales[c] ? d : rescale(d, scales[c]));
        } else if (v instanceof Boolean b) {
          appender.append(b.booleanValue());
        } else if (v instanceof LocalDate d) {
          appender.append(d);
        } else if (v instanceof LocalDateTime t) {
          appender.append(t);
        } else if (v instanceof Instant i) {
          appender.append(i.atOffset(ZoneOffset.UTC));
        } else {
          throw new IllegalArgumentException("cannot stage a " + v.getClass().getName());
        }
      }
      appender.endRow();
    }

    /** The appender wants the column's exact scale; widening is exact, narrowing must not round. */
    private static BigDecimal rescale(BigDecimal d, int scale) {
      try {
        return d.setScale(scale, RoundingMode.UNNECESSARY);
      } catch (ArithmeticException e) {
        throw new DataException(
            "value " + d.toPlainString() + " has more than " + scale + " decimal places");
      }
    }

    @Override
    public void finish() throws SQLException {
      appender.flush();
    }

    @Override
    public void close() throws SQLException {
      appender.close();
    }
  }
}
