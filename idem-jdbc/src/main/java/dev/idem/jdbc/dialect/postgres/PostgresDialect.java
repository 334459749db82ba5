package dev.idem.jdbc.dialect.postgres;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.dialect.PresenceLocks;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL. Rows reach the staging table through COPY (pgjdbc's CopyManager) inside the
 * window's transaction; concurrent runners are made safe by row locks (the fencing UPDATE),
 * {@code ON CONFLICT DO NOTHING} where two runners may insert one key, and SQLSTATE-based retry
 * of transient errors. Leases are judged by the server's clock. An unknown COMMIT outcome is
 * resolved by transaction id ({@code pg_current_xact_id()} before, {@code pg_xact_status()} after).
 */
public final class PostgresDialect implements Dialect {
  /** SQLSTATEs (or classes) that a retry may get past. */
  private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "23505");
  private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");
  private static final Pattern USER_INFO = Pattern.compile("^jdbc:postgresql://[^/?#]*@");
  private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public String product() {
    return "PostgreSQL";
  }

  /** MaxHeapAttributeNumber: a table has at most 1,600 columns (fewer if its rows are wide). */
  @Override
  public int maxColumns() {
    return 1600;
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  @Override
  public Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout) throws SQLException {
    return DriverManager.getConnection(checkUrl(jdbcUrl), properties);
  }

  /**
   * Refuses, before any connection attempt, a URL the driver would misread: pgjdbc takes the
   * user-info of {@code //user:password@host} for part of the host name, so it would look the
   * password up in DNS and print it in its error; and a URL it cannot parse fails with "No
   * suitable driver found for" the whole URL, a connection error that would be retried.
   */
  private String checkUrl(String jdbcUrl) throws SQLException {
    if (USER_INFO.matcher(jdbcUrl).find()) {
      throw new ConfigException("cannot open " + redact(jdbcUrl) + ": the PostgreSQL driver does not read user:password@ in the URL;"
          + " give user and password as connection properties (password: ${env:PGPASSWORD}) or as ?user=...&password=...");
    }
    if (!DRIVER.acceptsURL(jdbcUrl)) {
      throw new ConfigException("cannot open " + redact(jdbcUrl) + ": the PostgreSQL driver cannot parse this URL:"
          + " expected jdbc:postgresql://host[:port]/database[?property=value&...]");
    }
    return jdbcUrl;
  }

  /**
   * A database {@code idem_verify_<epoch seconds>_<random>} on the same server (the user needs
   * CREATEDB), dropped with {@code WITH (FORCE)} so a connection left behind by a crashed check
   * cannot keep it. The name records the server's time of creation, so that {@code idem doctor}
   * can tell a database a killed verify left behind from one a running verify is about to use.
   */
  @Override
  public Scratch scratch(String jdbcUrl, Properties properties) throws SQLException {
    if (!DATABASE.matcher(checkUrl(jdbcUrl)).matches()) {
      throw new SQLException("cannot tell the database name in " + redact(jdbcUrl) + ": expected jdbc:postgresql://host[:port]/database");
    }
    String name = "idem_verify_*";
    try (Connection c = DriverManager.getConnection(jdbcUrl, properties); var st = c.createStatement()) {
      name = scratchName(now(c, Clock.systemUTC()), new java.security.SecureRandom().nextLong());
      st.execute("CREATE DATABASE " + SqlName.quote(name));
    } catch (SQLException e) {
      throw new SQLException("cannot create the scratch database " + name + " for verification (the user needs CREATEDB): "
          + Jdbc.firstLine(e.getMessage()), e.getSQLState(), e);
    }
    String created = name;
    return new Scratch(scratchUrl(jdbcUrl, created), () -> {
      try (Connection c = DriverManager.getConnection(jdbcUrl, properties); var st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + SqlName.quote(created) + " WITH (FORCE)");
      }
    });
  }

  /**
   * {@code jdbcUrl} with its database replaced by {@code database}: the same hosts, ports and
   * parameters (none, when it has none).
   *
   * @throws IllegalArgumentException when the URL names no database where this can replace it
   */
  static String scratchUrl(String jdbcUrl, String database) {
    Matcher m = DATABASE.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("cannot tell the database name in the JDBC URL: expected jdbc:postgresql://host[:port]/database");
    }
    return m.group(1) + database + m.group(3);
  }

  /** The name of a scratch database created at {@code created}: {@code idem_verify_<epoch seconds>_<random hex>}. */
  public static String scratchName(Instant created, long random) {
    return SCRATCH_PREFIX + created.getEpochSecond() + "_" + Long.toHexString(random & Long.MAX_VALUE);
  }

  private static final String SCRATCH_PREFIX = "idem_verify_";
  /** A scratch database's name with its creation time; older idem versions named them {@code idem_verify_<hex>}. */
  private static final Pattern SCRATCH_NAME = Pattern.compile("idem_verify_(\\d{9,12})_[0-9a-f]+");

  @Override
  public java.util.List<ScratchDatabase> scratchDatabases(Connection connection) throws SQLException {
    java.util.List<ScratchDatabase> found = new java.util.ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement("SELECT d.datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
        + " FROM pg_database d WHERE starts_with(d.datname, ?) ORDER BY d.datname")) {
      ps.setString(1, SCRATCH_PREFIX);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          Matcher m = SCRATCH_NAME.matcher(name);
          Optional<Instant> created = m.matches() ? Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1)))) : Optional.empty();
          found.add(new ScratchDatabase(name, created, rs.getLong(2)));
        }
      }
    }
    return found;
  }

  /** {@code DROP DATABASE} without {@code FORCE}: the server refuses it (55006) while a session is connected. */
  @Override
  public boolean dropScratch(Connection connection, String name) throws SQLException {
    if (!name.startsWith(SCRATCH_PREFIX)) {
      throw new IllegalArgumentException(name + " is not a scratch database of idem verify");
    }
    boolean auto = connection.getAutoCommit();
    connection.setAutoCommit(true);
    try (Statement s = connection.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + SqlName.quote(name));
      return true;
    } catch (SQLException e) {
      if ("55006".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    } finally {
      connection.setAutoCommit(auto);
    }
  }

  /**
   * Sessions of any user (as far as this user may see them: a non-superuser sees the state of its
   * own role's sessions, or all with pg_read_all_stats) idle in a transaction since before
   * {@code idleFor} ago by the server's clock, with granted locks on the target or on
   * {@code _idem} tables of this database (tables only: their indexes' locks go with them).
   */
  @Override
  public java.util.List<IdleSession> idleSessions(Connection connection, dev.idem.jdbc.TableName target, Duration idleFor) throws SQLException {
    String sql = "SELECT a.pid, a.usename, a.application_name, CAST(host(a.client_addr) AS text), a.backend_start, a.state_change,"
        + " CAST(EXTRACT(EPOCH FROM clock_timestamp() - a.state_change) * 1000 AS bigint),"
        + " string_agg(DISTINCT n.nspname || '.' || r.relname, ', ' ORDER BY n.nspname || '.' || r.relname)"
        + " FROM pg_stat_activity a"
        + " JOIN pg_locks l ON l.pid = a.pid AND l.granted AND l.locktype = 'relation'"
        + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " JOIN pg_class r ON r.oid = l.relation AND r.relkind IN ('r', 'p') JOIN pg_namespace n ON n.oid = r.relnamespace"
        + " WHERE a.pid <> pg_backend_pid() AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')"
        + " AND a.state_change < clock_timestamp() - make_interval(secs => ?)"
        + " AND (n.nspname = '_idem' OR r.oid = to_regclass(?))"
        + " GROUP BY a.pid, a.usename, a.application_name, a.client_addr, a.backend_start, a.state_change ORDER BY a.pid";
    java.util.List<IdleSession> found = new java.util.ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setDouble(1, idleFor.toMillis() / 1000.0);
      ps.setString(2, target.sql());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(new IdleSession(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), Duration.ofMillis(rs.getLong(7)),
              rs.getString(8), rs.getObject(5, java.time.OffsetDateTime.class), rs.getObject(6, java.time.OffsetDateTime.class)));
        }
      }
    }
    return found;
  }

  /** {@code pg_terminate_backend}, in the same statement that checks the session is still idle since the state that was read. */
  @Override
  public boolean terminate(Connection connection, IdleSession session) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        + " WHERE pid = ? AND backend_start = ? AND state_change = ? AND state IN ('idle in transaction', 'idle in transaction (aborted)')")) {
      ps.setInt(1, session.pid());
      ps.setObject(2, session.backendStart());
      ps.setObject(3, session.stateChange());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * jdbc:postgresql://hosts/ (or jdbc:postgresql: alone, the driver's form for localhost) + database
   * + ?parameters. The last group matches the empty string when there are no parameters, so it is
   * never null. Hosts hold no '/' or '?', IPv6 addresses in brackets included ([::1]:5432).
   */
  private static final Pattern DATABASE = Pattern.compile("(jdbc:postgresql:(?://[^/?]*/)?)((?!/)[^?]*)((?:\\?.*)?)", Pattern.DOTALL);

  @Override
  public Connection connectAgain(Connection first, String jdbcUrl, Properties properties) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, properties);
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
      case JSON -> "jsonb"; // jsonb, not json: it has equality and order, which dedup and merge need
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
      return precision > 38 ? java.util.Optional.empty() : java.util.Optional.of(DataType.decimal(precision, scale));
    }
    return Optional.ofNullable(switch (t) {
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
  public String columnsQuery() {
    return "SELECT column_name, CASE WHEN data_type = 'numeric' THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')'"
        + " ELSE data_type END FROM information_schema.columns"
        + " WHERE table_schema = coalesce(?, current_schema()) AND table_name = ? ORDER BY ordinal_position";
  }

  @Override
  public String indexesQuery() {
    return "SELECT indexname FROM pg_indexes WHERE schemaname = coalesce(?, current_schema()) AND tablename = ?";
  }

  @Override
  public Instant now(Connection connection, Clock runnerClock) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT CAST(clock_timestamp() AT TIME ZONE 'UTC' AS timestamp)")) {
      rs.next();
      return rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
  }

  /** Session-level advisory locks: see {@link PostgresPresenceLocks}. */
  @Override
  public Optional<PresenceLocks> presenceLocks() {
    return Optional.of(PostgresPresenceLocks.INSTANCE);
  }

  /** A transaction-scoped advisory lock keyed by the table's name. */
  @Override
  public void lockTarget(Connection connection, String table) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      ps.setString(1, "idem:" + table);
      ps.executeQuery().close();
    }
  }

  /** PostgreSQL never analyzes temporary tables by itself (autovacuum cannot see them). */
  @Override
  public void analyze(Connection connection, String temporaryTable) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("ANALYZE " + SqlName.quote(temporaryTable));
    }
  }

  @Override
  public boolean writesInOneStatement() {
    return true;
  }

  @Override
  public String insertConflictClause(String keyColumns) {
    return " ON CONFLICT (" + keyColumns + ") DO NOTHING";
  }

  /** From pg_attribute rather than information_schema: this runs as each window begins, and the view is far slower. */
  @Override
  public String columnRulesQuery() {
    return "SELECT a.attname, CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END,"
        + " CASE WHEN a.atttypid = CAST('character varying' AS regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END"
        + " FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid = (SELECT c.oid FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = coalesce(?, current_schema()) AND c.relname = ?)";
  }

  @Override
  public String checksQuery() {
    return "SELECT con.conname, pg_get_expr(con.conbin, con.conrelid), a.attname FROM pg_constraint con"
        + " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)"
        + " WHERE con.contype = 'c' AND con.conrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = coalesce(?, current_schema()) AND c.relname = ?) ORDER BY con.conname, a.attname";
  }

  /**
   * Integrity violations (SQLSTATE class 23: not-null, foreign key, unique, check, exclusion) and
   * a value too long for its column (22001), with the server's detail ({@code Key (email)=(a@x)
   * already exists.}).
   */
  @Override
  public Optional<Refusal> refusal(SQLException e) {
    String state = e.getSQLState();
    if (state == null || !(state.startsWith("23") || state.equals("22001"))) {
      return Optional.empty();
    }
    org.postgresql.util.ServerErrorMessage m = e instanceof org.postgresql.util.PSQLException p ? p.getServerErrorMessage() : null;
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

  @Override
  public Optional<String> transactionId(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
      rs.next();
      return Optional.of(rs.getString(1));
    }
  }

  @Override
  public Optional<Boolean> committed(Connection fresh, String transactionId) throws SQLException {
    try (PreparedStatement ps = fresh.prepareStatement("SELECT pg_xact_status(CAST(? AS xid8))")) {
      ps.setString(1, transactionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String status = rs.getString(1);
        if ("committed".equals(status)) {
          return Optional.of(true);
        }
        if ("aborted".equals(status)) {
          return Optional.of(false);
        }
        return Optional.empty(); // in progress, or too old to know
      }
    } catch (SQLException e) {
      // "transaction ID ... is in the future": the server restarted and its WAL never reached this
      // transaction, so it cannot have committed (a commit flushes its WAL record first)
      if ("22023".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("in the future")) {
        return Optional.of(false);
      }
      throw e;
    }
  }

  @Override
  public Stager stage(Connection connection, Schema columns) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(stagingTable(columns, " ON COMMIT DROP"));
    }
    return restage(connection, columns);
  }

  @Override
  public Stager restage(Connection connection, Schema columns) throws SQLException {
    CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
        .copyIn("COPY " + SqlName.quote(Pipeline.STAGED) + " FROM STDIN WITH (FORMAT csv)");
    return new CopyStager(copy);
  }

  @Override
  public boolean serializeApply() {
    return false;
  }

  @Override
  public boolean singleProcess() {
    return false;
  }

  /**
   * Streams rows as CSV into COPY, through a 64 KiB buffer. Every non-null text value is quoted,
   * so an empty string stays distinct from NULL (an unquoted empty field); integers, decimals and
   * timestamps, which are never empty and hold no quote, comma or NUL, are written unquoted
   * straight into the buffer (formatting them through {@code toString} was most of the staging time).
   */
  static final class CopyStager implements Stager {
    private static final int FLUSH_AT = 64 * 1024;
    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
    private boolean ended;

    CopyStager(CopyIn copy) {
      this.copy = copy;
    }

    @Override
    public void add(Object[] row) throws SQLException {
      int start = buffer.length();
      try {
        for (int i = 0; i < row.length; i++) {
          if (i > 0) {
            buffer.append(',');
          }
          appendValue(buffer, row[i]);
        }
      } catch (DataException e) {
        // nothing of the row stays in the COPY buffer: the row alone is refused
        buffer.setLength(start);
        throw new dev.idem.destination.RowRefusedException(e.getMessage());
      }
      buffer.append('\n');
      if (buffer.length() >= FLUSH_AT) {
        flush();
      }
    }

    /** One value as a CSV field; nothing for null. */
    static void appendValue(StringBuilder sb, Object v) {
      if (v == null) {
        return;
      }
      if (v instanceof Long l) {
        sb.append(l.longValue());
        return;
      }
      if (v instanceof BigDecimal d) {
        sb.append(d.toPlainString());
        return;
      }
      if (v instanceof LocalDateTime t && appendTimestamp(sb, t)) {
        return;
      }
      appendQuoted(sb, text(v));
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.nnnnnnnnn]} for years 1 to 9999: the value {@code toString}
     * gives, which PostgreSQL reads the same way; false (nothing appended) for other years.
     */
    static boolean appendTimestamp(StringBuilder sb, LocalDateTime t) {
      int year = t.getYear();
      if (year < 1 || year > 9999) {
        return false;
      }
      digits(sb, year, 4).append('-');
      digits(sb, t.getMonthValue(), 2).append('-');
      digits(sb, t.getDayOfMonth(), 2).append('T');
      digits(sb, t.getHour(), 2).append(':');
      digits(sb, t.getMinute(), 2).append(':');
      digits(sb, t.getSecond(), 2);
      if (t.getNano() != 0) {
        digits(sb.append('.'), t.getNano(), 9);
      }
      return true;
    }

    /** {@code v} (not negative) in exactly {@code width} digits, zero-padded. */
    private static StringBuilder digits(StringBuilder sb, int v, int width) {
      for (int scale = pow10(width - 1); scale > 1 && v < scale; scale /= 10) {
        sb.append('0');
      }
      return sb.append(v);
    }

    private static int pow10(int n) {
      int p = 1;
      for (int i = 0; i < n; i++) {
        p *= 10;
      }
      return p;
    }

    static String text(Object v) {
      if (v instanceof BigDecimal d) {
        return d.toPlainString();
      }
      if (v instanceof Instant i) {
        return i.toString();
      }
      if (v instanceof LocalDateTime t) {
        return t.toString();
      }
      if (v instanceof Boolean b) {
        return b ? "t" : "f";
      }
      return v.toString();
    }

    static void appendQuoted(StringBuilder sb, String s) {
      if (s.indexOf('\0') >= 0) {
        throw new DataException("a text value contains a NUL character, which PostgreSQL text cannot store (at offset " + s.indexOf('\0') + ")");
      }
      sb.append('"');
      if (s.indexOf('"') < 0) {
        sb.append(s).append('"'); // the common case, appended in bulk
        return;
      }
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch == '"') {
          sb.append('"');
        }
        sb.append(ch);
      }
      sb.append('"');
    }

    private void flush() throws SQLException {
      if (buffer.length() > 0) {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
      }
    }

    @Override
    public void finish() throws SQLException {
      flush();
      copy.endCopy();
      ended = true;
    }

    @Override
    public void close() throws SQLException {
      if (!ended && copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }
}
