package dev.idem.jdbc.dialect.duckdb;

import dev.idem.IdemException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * DuckDB, the embedded default: one file, one process. Facts designed around: a second process
 * cannot open the file (we wait, then name the holder); errors carry no SQLSTATE (classified by
 * message); an appender joins a transaction only after a statement ran in it; concurrent
 * transactions can both update one row through an index without a conflict, so writes are
 * serialized in the process ({@link #serializeApply()}).
 */
public final class DuckDbDialect implements Dialect {
  private static final Pattern LOCK_HOLDER = Pattern.compile("Conflicting lock is held in (.*?)(?:\\. See also|$)", Pattern.DOTALL);
  private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");
  private static final Duration LOCK_POLL = Duration.ofMillis(200);

  @Override
  public String name() {
    return "duckdb";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:duckdb:");
  }

  @Override
  public Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout) throws SQLException {
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    while (true) {
      try {
        return DriverManager.getConnection(jdbcUrl, properties);
      } catch (SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.contains("Could not set lock")) {
          throw e;
        }
        if (System.nanoTime() >= deadline) {
          Matcher m = LOCK_HOLDER.matcher(message);
          String holder = m.find() ? m.group(1).trim() : "another process";
          throw new IdemException("DuckDB file " + jdbcUrl.substring("jdbc:duckdb:".length()) + " is held by " + holder
              + "; waited " + lockTimeout.toSeconds() + "s (--lock-timeout)", e);
        }
        try {
          Thread.sleep(LOCK_POLL.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** A temporary file, whatever file the pipeline names: verification never opens the user's file. */
  @Override
  public Scratch scratch(String jdbcUrl, Properties properties) throws SQLException {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("idem-verify-");
      return new Scratch("jdbc:duckdb:" + dir.resolve("scratch.duckdb"), () -> {
        try (var files = java.nio.file.Files.walk(dir)) {
          for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            java.nio.file.Files.deleteIfExists(f);
          }
        } catch (java.io.IOException e) {
          throw new SQLException("cannot delete the scratch file under " + dir + ": " + e.getMessage(), e);
        }
      });
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create a scratch DuckDB file: " + e.getMessage(), e);
    }
  }

  @Override
  public Connection connectAgain(Connection first, String jdbcUrl, Properties properties) throws SQLException {
    return ((DuckDBConnection) first.unwrap(DuckDBConnection.class)).duplicate();
  }

  @Override
  public String sqlType(DataType type) {
    return switch (type.kind()) {
      case STRING -> "VARCHAR";
      case INTEGER -> "BIGINT";
      case DECIMAL -> "DECIMAL(" + type.precision() + "," + type.scale() + ")";
      case BOOLEAN -> "BOOLEAN";
      case DATE -> "DATE";
      case TIMESTAMP -> "TIMESTAMP";
      case TIMESTAMPTZ -> "TIMESTAMPTZ";
      case JSON -> "JSON";
    };
  }

  @Override
  public boolean compatible(DataType declared, String databaseType) {
    String t = databaseType.toUpperCase(Locale.ROOT).trim();
    return switch (declared.kind()) {
      case STRING -> t.equals("VARCHAR");
      case INTEGER -> t.equals("BIGINT") || t.equals("HUGEINT");
      case DECIMAL -> Dialect.holdsDecimal(DECIMAL, t, declared);
      case BOOLEAN -> t.equals("BOOLEAN");
      case DATE -> t.equals("DATE");
      case TIMESTAMP -> t.equals("TIMESTAMP");
      case TIMESTAMPTZ -> t.equals("TIMESTAMP WITH TIME ZONE") || t.equals("TIMESTAMPTZ");
      case JSON -> t.equals("JSON") || t.equals("VARCHAR");
    };
  }

  @Override
  public java.util.Optional<DataType> dataType(String databaseType) {
    String t = databaseType.toUpperCase(Locale.ROOT).trim();
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      int precision = Integer.parseInt(m.group(1));
      int scale = Integer.parseInt(m.group(2));
      return precision > 38 ? java.util.Optional.empty() : java.util.Optional.of(DataType.decimal(precision, scale));
    }
    return java.util.Optional.ofNullable(switch (t) {
      case "VARCHAR" -> DataType.STRING;
      case "BIGINT", "HUGEINT" -> DataType.INTEGER;
      case "BOOLEAN" -> DataType.BOOLEAN;
      case "DATE" -> DataType.DATE;
      case "TIMESTAMP" -> DataType.TIMESTAMP;
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> DataType.TIMESTAMPTZ;
      case "JSON" -> DataType.JSON;
      default -> null;
    });
  }

  @Override
  public ErrorKind classify(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      // Matched at the start of DuckDB's messages, never anywhere: a data error may quote user text.
      if (m.startsWith("TransactionContext Error") || m.startsWith("Could not set lock") || m.startsWith("IO Error: Could not set lock")
          || m.startsWith("Connection was closed") || m.startsWith("Catalog write-write conflict")) {
        return ErrorKind.TRANSIENT;
      }
    }
    return ErrorKind.PERMANENT;
  }

  @Override
  public String columnsQuery() {
    return "SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_catalog = current_database() AND table_schema = coalesce(?, current_schema()) AND table_name = ?"
        + " ORDER BY ordinal_position";
  }

  /** DuckDB keeps no names of its own for CHECK constraints: it derives them from table and columns. */
  @Override
  public String checksQuery() {
    return "SELECT constraint_name, expression, unnest(constraint_column_names) FROM duckdb_constraints()"
        + " WHERE constraint_type = 'CHECK' AND database_name = current_database() AND schema_name = coalesce(?, current_schema())"
        + " AND table_name = ? ORDER BY 1, 3";
  }

  /** DuckDB's constraint errors carry no SQLSTATE: they start with "Constraint Error: ". */
  @Override
  public java.util.Optional<Refusal> refusal(SQLException e) {
    String m = String.valueOf(e.getMessage());
    if (!m.startsWith(CONSTRAINT_ERROR)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new Refusal(null, null, dev.idem.jdbc.Jdbc.firstLine(m.substring(CONSTRAINT_ERROR.length()))));
  }

  private static final String CONSTRAINT_ERROR = "Constraint Error: ";

  @Override
  public String indexesQuery() {
    return "SELECT index_name FROM duckdb_indexes()"
        + " WHERE database_name = current_database() AND schema_name = coalesce(?, current_schema()) AND table_name = ?";
  }

  @Override
  public Stager stage(Connection connection, Schema columns) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(stagingTable(columns, "")); // also makes the appender join this transaction
    }
    return restage(connection, columns);
  }

  /** An appender joins the transaction only after a statement ran in it: the CREATE or the ALTER of {@code staged} did. */
  @Override
  public Stager restage(Connection connection, Schema columns) throws SQLException {
    DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", dev.idem.pipeline.Pipeline.STAGED);
    return new AppenderStager(appender, columns);
  }

  /**
   * No: a DuckDB (ART) index on a column turns every UPDATE of that column into a delete and an
   * insert, and on a reopened file the table's unique key index then refuses the re-inserted keys
   * ("Duplicate key ... violates unique constraint", see DuckDB's "Limitations of ART indexes").
   * Merge and replace update {@code _idem_window}, so it stays unindexed; DuckDB's per-segment
   * min/max statistics already keep {@code WHERE _idem_window = ?} cheap.
   */
  @Override
  public boolean indexLineage() {
    return false;
  }

  @Override
  public boolean serializeApply() {
    return true;
  }

  @Override
  public boolean singleProcess() {
    return true;
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
        return d.setScale(scale, java.math.RoundingMode.UNNECESSARY);
      } catch (ArithmeticException e) {
        throw new dev.idem.DataException("value " + d.toPlainString() + " has more than " + scale + " decimal places");
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
