package dev.idem.jdbc.dialect.duckdb;

import dev.idem.IdemException;
import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.dialect.Admin;
import dev.idem.jdbc.dialect.Catalog;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.dialect.Staging;
import dev.idem.jdbc.dialect.Writes;
import dev.idem.schema.DataType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;

/**
 * DuckDB, the embedded default: one file, one process. Facts designed around: a second process
 * cannot open the file (we wait, then name the holder); errors carry no SQLSTATE (classified by
 * message); an appender joins a transaction only after a statement ran in it; concurrent
 * transactions can both update one row through an index without a conflict, so writes are
 * serialized in the process ({@link #serializeApply()}).
 */
public final class DuckDbDialect implements Dialect {
  private static final Pattern LOCK_HOLDER =
      Pattern.compile("Conflicting lock is held in (.*?)(?:\\. See also|$)", Pattern.DOTALL);
  private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");
  private static final Duration LOCK_POLL = Duration.ofMillis(200);
  private static final String CONSTRAINT_ERROR = "Constraint Error: ";
  private final Catalog catalog = new DuckDbCatalog();
  private final Staging staging = new DuckDbStaging(this::sqlType);
  private final Writes writes = new Writes() {};
  private final Admin admin = new DuckDbAdmin();

  @Override
  public String name() {
    return "duckdb";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:duckdb:");
  }

  @Override
  public Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout)
      throws SQLException {
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
          throw new IdemException(
              "DuckDB file "
                  + jdbcUrl.substring("jdbc:duckdb:".length())
                  + " is held by "
                  + holder
                  + "; waited "
                  + lockTimeout.toSeconds()
                  + "s (--lock-timeout)",
              e);
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

  /**
   * DuckDB's read-only mode: the file is opened with a shared lock, which any number of readers
   * hold together, and which a writer (a run) waits for.
   */
  @Override
  public Properties readOnly(Properties properties) {
    Properties p = (Properties) properties.clone();
    p.setProperty("duckdb.read_only", "true");
    return p;
  }

  @Override
  public Connection connectAgain(Connection first, String jdbcUrl, Properties properties)
      throws SQLException {
    return first.unwrap(DuckDBConnection.class).duplicate();
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
  public Optional<DataType> dataType(String databaseType) {
    String t = databaseType.toUpperCase(Locale.ROOT).trim();
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      int precision = Integer.parseInt(m.group(1));
      int scale = Integer.parseInt(m.group(2));
      return precision > 38 ? Optional.empty() : Optional.of(DataType.decimal(precision, scale));
    }
    return Optional.ofNullable(
        switch (t) {
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
      // Matched at the start of DuckDB's messages, never anywhere: a data error may quote user
      // text.
      if (m.startsWith("TransactionContext Error")
          || m.startsWith("Could not set lock")
          || m.startsWith("IO Error: Could not set lock")
          || m.startsWith("Connection was closed")
          || m.startsWith("Catalog write-write conflict")) {
        return ErrorKind.TRANSIENT;
      }
    }
    return ErrorKind.PERMANENT;
  }

  /** DuckDB's constraint errors carry no SQLSTATE: they start with "Constraint Error: ". */
  @Override
  public Optional<Refusal> refusal(SQLException e) {
    String m = String.valueOf(e.getMessage());
    if (!m.startsWith(CONSTRAINT_ERROR)) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(null, null, Jdbc.firstLine(m.substring(CONSTRAINT_ERROR.length()))));
  }

  @Override
  public Catalog catalog() {
    return catalog;
  }

  @Override
  public Staging staging() {
    return staging;
  }

  @Override
  public Writes writes() {
    return writes;
  }

  @Override
  public Admin admin() {
    return admin;
  }

  @Override
  public boolean serializeApply() {
    return true;
  }

  @Override
  public boolean singleProcess() {
    return true;
  }
}
