package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.TableName;
import dev.idem.jdbc.dialect.Admin;
import dev.idem.jdbc.dialect.PresenceLocks;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's admin side: scratch databases on the destination's server for {@code idem verify}
 * (and the ones a killed verify left), sessions idle in a transaction while holding idem's locks,
 * and session-level advisory locks as runners' presence.
 */
final class PostgresAdmin implements Admin {
  private final PostgresDialect dialect;

  PostgresAdmin(PostgresDialect dialect) {
    this.dialect = dialect;
  }

  /**
   * A database {@code idem_verify_<epoch seconds>_<random>} on the same server (the user needs
   * CREATEDB), dropped with {@code WITH (FORCE)} so a connection left behind by a crashed check
   * cannot keep it. The name records the server's time of creation, so that {@code idem doctor} can
   * tell a database a killed verify left behind from one a running verify is about to use.
   */
  @Override
  public Scratch scratch(String jdbcUrl, Properties properties) throws SQLException {
    if (!DATABASE.matcher(dialect.checkUrl(jdbcUrl)).matches()) {
      throw new SQLException(
          "cannot tell the database name in "
              + dialect.redact(jdbcUrl)
              + ": expected jdbc:postgresql://host[:port]/database");
    }
    String name = "idem_verify_*";
    try (Connection c = DriverManager.getConnection(jdbcUrl, properties);
        var st = c.createStatement()) {
      name = scratchName(dialect.now(c, Clock.systemUTC()), new SecureRandom().nextLong());
      st.execute("CREATE DATABASE " + SqlName.quote(name));
    } catch (SQLException e) {
      throw new SQLException(
          "cannot create the scratch database "
              + name
              + " for verification (the user needs CREATEDB): "
              + Jdbc.firstLine(e.getMessage()),
          e.getSQLState(),
          e);
    }
    String created = name;
    return new Scratch(
        scratchUrl(jdbcUrl, created),
        () -> {
          try (Connection c = DriverManager.getConnection(jdbcUrl, properties);
              var st = c.createStatement()) {
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
      throw new IllegalArgumentException(
          "cannot tell the database name in the JDBC URL: expected jdbc:postgresql://host[:port]/database");
    }
    return m.group(1) + database + m.group(3);
  }

  /**
   * The name of a scratch database created at {@code created}: {@code idem_verify_<epoch
   * seconds>_<random hex>}.
   */
  public static String scratchName(Instant created, long random) {
    return SCRATCH_PREFIX
        + created.getEpochSecond()
        + "_"
        + Long.toHexString(random & Long.MAX_VALUE);
  }

  private static final String SCRATCH_PREFIX = "idem_verify_";

  /**
   * A scratch database's name with its creation time; older idem versions named them {@code
   * idem_verify_<hex>}.
   */
  private static final Pattern SCRATCH_NAME = Pattern.compile("idem_verify_(\\d{9,12})_[0-9a-f]+");

  @Override
  public List<ScratchDatabase> scratchDatabases(Connection connection) throws SQLException {
    List<ScratchDatabase> found = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT d.datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
                + " FROM pg_database d WHERE starts_with(d.datname, ?) ORDER BY d.datname")) {
      ps.setString(1, SCRATCH_PREFIX);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          Matcher m = SCRATCH_NAME.matcher(name);
          Optional<Instant> created =
              m.matches()
                  ? Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1))))
                  : Optional.empty();
          found.add(new ScratchDatabase(name, created, rs.getLong(2)));
        }
      }
    }
    return found;
  }

  /**
   * {@code DROP DATABASE} without {@code FORCE}: the server refuses it (55006) while a session is
   * connected.
   */
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
   * own role's sessions, or all with pg_read_all_stats) idle in a transaction since before {@code
   * idleFor} ago by the server's clock, with granted locks on the target or on {@code _idem} tables
   * of this database (tables only: their indexes' locks go with them).
   */
  @Override
  public List<IdleSession> idleSessions(Connection connection, TableName target, Duration idleFor)
      throws SQLException {
    String sql =
        "SELECT a.pid, a.usename, a.application_name, CAST(host(a.client_addr) AS text), a.backend_start, a.state_change,"
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
    List<IdleSession> found = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setDouble(1, idleFor.toMillis() / 1000.0);
      ps.setString(2, target.sql());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(
              new IdleSession(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  Duration.ofMillis(rs.getLong(7)),
                  rs.getString(8),
                  rs.getObject(5, OffsetDateTime.class),
                  rs.getObject(6, OffsetDateTime.class)));
        }
      }
    }
    return found;
  }

  /**
   * {@code pg_terminate_backend}, in the same statement that checks the session is still idle since
   * the state that was read.
   */
  @Override
  public boolean terminate(Connection connection, IdleSession session) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE pid = ? AND backend_start = ? AND state_change = ? AND state IN ('idle in"
                + " transaction', 'idle in transaction (aborted)')")) {
      ps.setInt(1, session.pid());
      ps.setObject(2, session.backendStart());
      ps.setObject(3, session.stateChange());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * jdbc:postgresql://hosts/ (or jdbc:postgresql: alone, the driver's form for localhost) +
   * database + ?parameters. The last group matches the empty string when there are no parameters,
   * so it is never null. Hosts hold no '/' or '?', IPv6 addresses in brackets included
   * ([::1]:5432).
   */
  private static final Pattern DATABASE =
      Pattern.compile("(jdbc:postgresql:(?://[^/?]*/)?)((?!/)[^?]*)((?:\\?.*)?)", Pattern.DOTALL);

  /** Session-level advisory locks: see {@link PostgresPresenceLocks}. */
  @Override
  public Optional<PresenceLocks> presenceLocks() {
    return Optional.of(PostgresPresenceLocks.INSTANCE);
  }
}
