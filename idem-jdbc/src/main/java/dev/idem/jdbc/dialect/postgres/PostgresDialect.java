package dev.idem.jdbc.dialect.postgres;

import dev.idem.ConfigException;
import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.dialect.Admin;
import dev.idem.jdbc.dialect.Catalog;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.dialect.Staging;
import dev.idem.jdbc.dialect.Writes;
import dev.idem.schema.DataType;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL. Rows reach the staging table through COPY (pgjdbc's CopyManager) inside the window's
 * transaction; concurrent runners are made safe by row locks (the fencing UPDATE), {@code ON
 * CONFLICT DO NOTHING} where two runners may insert one key, and SQLSTATE-based retry of transient
 * errors. Leases are judged by the server's clock. An unknown COMMIT outcome is resolved by
 * transaction id ({@code pg_current_xact_id()} before, {@code pg_xact_status()} after).
 */
public final class PostgresDialect implements Dialect {
  /** SQLSTATEs (or classes) that a retry may get past. */
  private static final Set<String> TRANSIENT_STATES =
      Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "23505");

  private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");
  private static final Pattern USER_INFO = Pattern.compile("^jdbc:postgresql://[^/?#]*@");
  private static final Driver DRIVER = new Driver();
  private final Catalog catalog = new PostgresCatalog();
  private final Staging staging = new PostgresStaging(this::sqlType);
  private final Writes writes = new PostgresWrites();
  private final Admin admin = new PostgresAdmin(this);

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public String product() {
    return "PostgreSQL";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  @Override
  public Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout)
      throws SQLException {
    return DriverManager.getConnection(checkUrl(jdbcUrl), properties);
  }

  /**
   * Refuses, before any connection attempt, a URL the driver would misread: pgjdbc takes the
   * user-info of {@code //user:password@host} for part of the host name, so it would look the
   * password up in DNS and print it in its error; and a URL it cannot parse fails with "No suitable
   * driver found for" the whole URL, a connection error that would be retried.
   */
  String checkUrl(String jdbcUrl) throws SQLException {
    if (USER_INFO.matcher(jdbcUrl).find()) {
      throw new ConfigException(
          "cannot open "
              + redact(jdbcUrl)
              + ": the PostgreSQL driver does not read user:password@ in the URL;"
              + " give user and password as connection properties (password: ${env:PGPASSWORD}) or as ?user=...&password=...");
    }
    if (!DRIVER.acceptsURL(jdbcUrl)) {
      throw new ConfigException(
          "cannot open "
              + redact(jdbcUrl)
              + ": the PostgreSQL driver cannot parse this URL:"
              + " expected jdbc:postgresql://host[:port]/database[?property=value&...]");
    }
    return jdbcUrl;
  }

  /**
   * pgjdbc's read-only connections: every transaction, autocommit ones too, is {@code READ ONLY},
   * so the server refuses any write.
   */
  @Override
  public Properties readOnly(Properties properties) {
    Properties p = (Properties) properties.clone();
    p.setProperty("readOnly", "true");
    p.setProperty("readOnlyMode", "always");
    return p;
  }

  @Override
  public Connection connectAgain(Connection first, String jdbcUrl, Properties properties)
      throws SQLException {
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  /** Text in the "C" collation: compared by byte whatever the database's collation. */
  @Override
  public String bytewiseText() {
    return "text COLLATE \"C\"";
  }

  @Override
  public String sqlType(DataType type) {
    return switch (type.kind()) {
      case STRING -> "text";
      case INTEGER -> "bigint";
      case DECIMAL -> "numeric(" + type.precision() + "," + type.scale() + ")";
      case BOOLEAN -> "boolean";
      case DATE -> "date";
      case TIMESTAMP -> "timestamp";
      case TIMESTAMPTZ -> "timestamptz";
      case JSON ->
          "jsonb"; // jsonb, not json: it has equality and order, which dedup and merge need
    };
  }

  @Override
  public boolean compatible(DataType declared, String databaseType) {
    String t = databaseType.toLowerCase(Locale.ROOT).trim();
    return switch (declared.kind()) {
      case STRING -> t.equals("text") || t.equals("character varying");
      case INTEGER -> t.equals("bigint");
      case DECIMAL -> Dialect.holdsDecimal(NUMERIC, t, declared);
      case BOOLEAN -> t.equals("boolean");
      case DATE -> t.equals("date");
      case TIMESTAMP -> t.equals("timestamp without time zone");
      case TIMESTAMPTZ -> t.equals("timestamp with time zone");
      case JSON -> t.equals("jsonb");
    };
  }

  @Override
  public Optional<DataType> dataType(String databaseType) {
    String t = databaseType.toLowerCase(Locale.ROOT).trim();
    Matcher m = NUMERIC.matcher(t);
    if (m.matches()) {
      int precision = Integer.parseInt(m.group(1));
      int scale = Integer.parseInt(m.group(2));
      return precision > 38 ? Optional.empty() : Optional.of(DataType.decimal(precision, scale));
    }
    return Optional.ofNullable(
        switch (t) {
          case "text", "character varying" -> DataType.STRING;
          case "bigint" -> DataType.INTEGER;
          case "boolean" -> DataType.BOOLEAN;
          case "date" -> DataType.DATE;
          case "timestamp without time zone" -> DataType.TIMESTAMP;
          case "timestamp with time zone" -> DataType.TIMESTAMPTZ;
          case "jsonb" -> DataType.JSON;
          default -> null;
        });
  }

  @Override
  public ErrorKind classify(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || TRANSIENT_STATES.contains(state)) {
          return ErrorKind.TRANSIENT;
        }
      }
      if (t instanceof IOException) {
        return ErrorKind.TRANSIENT;
      }
    }
    return ErrorKind.PERMANENT;
  }

  @Override
  public Instant now(Connection connection, Clock runnerClock) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT CAST(clock_timestamp() AT TIME ZONE 'UTC' AS timestamp)")) {
      rs.next();
      return rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
  }

  /**
   * Integrity violations (SQLSTATE class 23: not-null, foreign key, unique, check, exclusion) and a
   * value too long for its column (22001), with the server's detail ({@code Key (email)=(a@x)
   * already exists.}).
   */
  @Override
  public Optional<Refusal> refusal(SQLException e) {
    String state = e.getSQLState();
    if (state == null || !(state.startsWith("23") || state.equals("22001"))) {
      return Optional.empty();
    }
    ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (m == null) {
      return Optional.of(new Refusal(null, null, Jdbc.firstLine(e.getMessage())));
    }
    String detail = m.getDetail() == null ? "" : ": " + m.getDetail().strip().replace('\n', ' ');
    return Optional.of(new Refusal(m.getTable(), m.getConstraint(), m.getMessage() + detail));
  }

  @Override
  public void configure(Connection connection, Duration leaseTtl) throws SQLException {
    // A runner that stalls inside its transaction is cut off before its lease could be taken
    // over, so a zombie never holds locks the new lease holder needs.
    long ms = Math.max(1000, leaseTtl.toMillis() / 2);
    try (Statement s = connection.createStatement()) {
      s.execute("SET idle_in_transaction_session_timeout = " + ms);
    }
  }

  /**
   * The name of a scratch database created at {@code created}: {@code idem_verify_<epoch
   * seconds>_<random hex>}.
   */
  public static String scratchName(Instant created, long random) {
    return PostgresAdmin.scratchName(created, random);
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
    return false;
  }

  @Override
  public boolean singleProcess() {
    return false;
  }
}
