package dev.idem.jdbc.dialect;

import dev.idem.connector.Secrets;
import dev.idem.schema.DataType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a database is to idem: how to connect, its type names, how its errors read, and whose clock
 * and process model leases follow. The rest comes in parts: its {@link #catalog() catalog} queries,
 * its bulk {@link #staging() staging} path, how a window's {@link #writes() write} runs, and its
 * {@link #admin() admin} side (scratch databases, idle sessions, presence locks). SQL common to all
 * databases lives in {@code StrategySql}; one implementation per database, chosen by the JDBC URL
 * ({@link Dialects}).
 */
public interface Dialect extends SourceDialect {
  String name();

  boolean accepts(String jdbcUrl);

  /** The database's name as its users know it, for messages ({@code PostgreSQL}). */
  default String product() {
    return name();
  }

  /**
   * Opens the first connection; waits up to {@code lockTimeout} for a database another process
   * holds.
   */
  Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout)
      throws SQLException;

  /**
   * The connection properties that make every connection of this database read-only ({@code idem
   * serve}): the database refuses any write, whatever the SQL.
   */
  Properties readOnly(Properties properties);

  /** A further connection to the same database, for one window's write. */
  Connection connectAgain(Connection first, String jdbcUrl, Properties properties)
      throws SQLException;

  /**
   * Session settings of a window's connection (e.g. a stalled transaction must not outlive its
   * lease).
   */
  default void configure(Connection connection, Duration leaseTtl) throws SQLException {}

  /** The column type for a declared type. */
  String sqlType(DataType type);

  /**
   * The type of a text column compared bytewise whatever the database's collation (the window order
   * key, {@code _idem_window_order}). Default: VARCHAR (DuckDB compares it bytewise).
   */
  default String bytewiseText() {
    return "VARCHAR";
  }

  /**
   * True when a column reported by the database (information_schema data_type) can hold the
   * declared type exactly.
   */
  boolean compatible(DataType declared, String databaseType);

  /**
   * The declared type a column reported by the database holds exactly ({@link #compatible} with
   * it), for columns idem did not declare (added by {@code schema_drift: evolve}); empty for a type
   * idem has none for.
   */
  Optional<DataType> dataType(String databaseType);

  ErrorKind classify(SQLException e);

  /**
   * True when a failed COMMIT may nonetheless have committed (the connection was lost while the
   * COMMIT was in flight): the caller must then resolve the outcome from the ledger.
   */
  default boolean commitOutcomeUnknown(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("08");
  }

  /**
   * When {@code e} is the database refusing a row for a rule of a table (a constraint, a value too
   * long), the rule's name if the database gives it and what the database says, in one line with
   * the values it names; empty for any other error.
   */
  default Optional<Refusal> refusal(SQLException e) {
    return Optional.empty();
  }

  /**
   * A row refused by a rule of {@code table}: the rule's name (null if unknown) and the database's
   * words.
   */
  record Refusal(String table, String constraint, String message) {}

  /**
   * True when concurrent writers cannot be made safe by the database's own row locks (DuckDB's
   * optimistic concurrency lets two transactions update the same row unnoticed through an index):
   * then the destination serializes the apply-and-commit step of every window in the process.
   */
  boolean serializeApply();

  /**
   * True when leases held by other processes are necessarily dead: the database admits one process
   * at a time (a DuckDB file), so a restarted runner need not wait for their expiry.
   */
  boolean singleProcess();

  /**
   * The time leases are judged by. Default: the runner's clock (one process, one clock). A server
   * database answers with its own clock, so that runners on machines whose clocks disagree still
   * agree on which lease has expired.
   */
  default Instant now(Connection connection, Clock runnerClock) throws SQLException {
    return runnerClock.instant();
  }

  /** How the database describes its tables. */
  Catalog catalog();

  /** The database's bulk path into a window's staging relation. */
  Staging staging();

  /**
   * How a window's write runs: its strategy's statements, the target's lock, the transaction's id.
   */
  Writes writes();

  /** Scratch databases, idle sessions, presence locks. */
  Admin admin();

  /** The URL for messages: without password or user-info. */
  default String redact(String jdbcUrl) {
    return redactUrl(jdbcUrl);
  }

  /** Any text that may quote a JDBC URL, password-like parameters and user-info masked. */
  static String redactUrl(String text) {
    return Secrets.maskUrl(text);
  }

  /** Classification of a database error. */
  enum ErrorKind {
    /** May succeed if retried: connection loss, serialization failure, conflict, lock held. */
    TRANSIENT,
    /** The data or the statement is wrong; retrying gives the same result. */
    PERMANENT
  }

  /**
   * Whether a column the database reports as a decimal ({@code pattern} captures precision then
   * scale) holds the declared decimal exactly: the same scale and at least as many digits.
   */
  static boolean holdsDecimal(Pattern pattern, String databaseType, DataType declared) {
    Matcher m = pattern.matcher(databaseType);
    return m.matches()
        && Integer.parseInt(m.group(2)) == declared.scale()
        && Integer.parseInt(m.group(1)) >= declared.precision();
  }
}
