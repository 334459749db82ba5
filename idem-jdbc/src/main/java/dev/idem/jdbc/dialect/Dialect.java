package dev.idem.jdbc.dialect;

import dev.idem.connector.Secrets;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * What differs between databases, and nothing else: connecting, type names, error
 * classification, the bulk path and the staging relation. SQL common to all databases lives in
 * {@code StrategySql}; one implementation per database, chosen by the JDBC URL.
 */
public interface Dialect {
  String name();

  boolean accepts(String jdbcUrl);

  /** Opens the first connection; waits up to {@code lockTimeout} for a database another process holds. */
  Connection connect(String jdbcUrl, Properties properties, Duration lockTimeout) throws SQLException;

  /** A further connection to the same database, for one window's write. */
  Connection connectAgain(Connection first, String jdbcUrl, Properties properties) throws SQLException;

  /** The column type for a declared type. */
  String sqlType(DataType type);

  /** True when a column reported by the database (information_schema data_type) can hold the declared type exactly. */
  boolean compatible(DataType declared, String databaseType);

  /**
   * The declared type a column reported by the database holds exactly ({@link #compatible} with
   * it), for columns idem did not declare (added by {@code schema_drift: evolve}); empty for a type
   * idem has none for.
   */
  java.util.Optional<DataType> dataType(String databaseType);

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
   * Creates the private relation {@code staged} (visible to this connection only) with the given
   * columns, and returns a bulk writer into it.
   */
  Stager stage(Connection connection, Schema columns) throws SQLException;

  /**
   * A new bulk writer into the existing relation {@code staged}, whose columns are now
   * {@code columns} (one was added after the previous writer was finished and closed).
   */
  Stager restage(Connection connection, Schema columns) throws SQLException;

  /**
   * True when concurrent writers cannot be made safe by the database's own row locks (DuckDB's
   * optimistic concurrency lets two transactions update the same row unnoticed through an index):
   * then the destination serializes the apply-and-commit step of every window in the process.
   */
  boolean serializeApply();

  /**
   * True when leases held by other processes are necessarily dead: the database admits one
   * process at a time (a DuckDB file), so a restarted runner need not wait for their expiry.
   */
  boolean singleProcess();

  /**
   * The database's presence locks, where it has them (PostgreSQL); empty where it has none: a
   * runner is then known alive only inside its own process, and elsewhere by its lease's expiry.
   */
  default java.util.Optional<PresenceLocks> presenceLocks() {
    return java.util.Optional.empty();
  }

  /**
   * The time leases are judged by. Default: the runner's clock (one process, one clock). A
   * server database answers with its own clock, so that runners on machines whose clocks
   * disagree still agree on which lease has expired.
   */
  default java.time.Instant now(Connection connection, java.time.Clock runnerClock) throws SQLException {
    return runnerClock.instant();
  }

  /**
   * Appended to the INSERT of new keys where concurrent runners can insert the same key
   * (PostgreSQL: {@code ON CONFLICT (key) DO NOTHING}, {@code keyColumns} being the key's quoted
   * column list); empty when writers are serialized. Only a conflict on the key is skipped: a row
   * that breaks another unique constraint of the table is refused, never dropped unseen.
   */
  default String insertConflictClause(String keyColumns) {
    return "";
  }

  /** Session settings of a window's connection (e.g. a stalled transaction must not outlive its lease). */
  default void configure(Connection connection, Duration leaseTtl) throws SQLException {}

  /** The id of the open transaction, taken before COMMIT to resolve an unknown outcome; empty if the database has none. */
  default java.util.Optional<String> transactionId(Connection connection) throws SQLException {
    return java.util.Optional.empty();
  }

  /**
   * Whether the transaction with this id committed, asked on a fresh connection after COMMIT
   * was lost: true, false (aborted), or empty while the server does not know yet (in progress).
   */
  default java.util.Optional<Boolean> committed(Connection fresh, String transactionId) throws SQLException {
    return java.util.Optional.empty();
  }

  /**
   * Serializes, across processes, the apply-and-commit step of windows writing one table, held
   * until the transaction ends. Needed where statements of one window see other windows' commits
   * between them (READ COMMITTED): without it, a window could find a key absent when it updates and
   * present when it inserts, and so miss a newer version. Staging still runs in parallel.
   */
  default void lockTarget(Connection connection, String table) throws SQLException {}

  /**
   * Gathers planner statistics on a freshly filled temporary table, so that joins between a
   * window's few rows and a large target use the key index instead of scanning the target.
   */
  default void analyze(Connection connection, String temporaryTable) throws SQLException {}

  /**
   * True when merge and replace_window with a key run as one statement each
   * ({@code StrategySql.mergeInOneStatement}, {@code replaceWindowInOneStatement}): the database
   * has {@code DISTINCT ON}, {@code LATERAL} and data-modifying {@code WITH} (PostgreSQL).
   * Otherwise they run step by step over the deduplicated {@code idem_rows}.
   */
  default boolean writesInOneStatement() {
    return false;
  }

  /** Whether idem indexes the lineage column {@code _idem_window} of its target tables. */
  default boolean indexLineage() {
    return true;
  }

  /**
   * A new, empty database beside the one at {@code jdbcUrl} (a scratch database on the same
   * server, or a temporary file) for {@code idem verify}; {@link Scratch#drop} removes it once every
   * connection to it is closed.
   */
  Scratch scratch(String jdbcUrl, Properties properties) throws SQLException;

  /** A scratch database: its URL, and how to remove it. */
  record Scratch(String url, Drop drop) {}

  /** Removes a scratch database. */
  @FunctionalInterface
  interface Drop {
    void run() throws SQLException;
  }

  /**
   * Sessions other than this one that sit idle inside an open transaction for longer than
   * {@code idleFor} while holding locks on {@code target} or on a table of the ledger schema
   * {@code _idem} ({@code idem doctor}). Default: none (a database one process opens at a time has
   * no other session).
   */
  default java.util.List<IdleSession> idleSessions(Connection connection, dev.idem.jdbc.TableName target, Duration idleFor) throws SQLException {
    return java.util.List.of();
  }

  /**
   * Ends an idle session found by {@link #idleSessions}, only if it is still the same session idle
   * in the same state since {@link IdleSession#stateChange}: false when it did anything since.
   */
  default boolean terminate(Connection connection, IdleSession session) throws SQLException {
    return false;
  }

  /** A session idle in a transaction: {@code locks} names the relations it holds locks on. */
  record IdleSession(int pid, String user, String application, String client, Duration idle, String locks,
                     java.time.OffsetDateTime backendStart, java.time.OffsetDateTime stateChange) {}

  /**
   * The scratch databases {@link #scratch} created on this server that still exist, with their
   * creation time when their name records it and the sessions connected to them. Default: none
   * (a scratch DuckDB file is not on the destination's server).
   */
  default java.util.List<ScratchDatabase> scratchDatabases(Connection connection) throws SQLException {
    return java.util.List.of();
  }

  /**
   * Drops a scratch database unless a session is connected to it; false when one is (the drop
   * is refused by the server itself, so a check that is still running keeps its database).
   * Runs outside a transaction on {@code connection}.
   */
  default boolean dropScratch(Connection connection, String name) throws SQLException {
    return false;
  }

  /** A scratch database left on the server: when it was created (if its name says) and how many sessions use it. */
  record ScratchDatabase(String name, java.util.Optional<java.time.Instant> created, long sessions) {}

  /** The URL for messages: without password or user-info. */
  default String redact(String jdbcUrl) {
    return redactUrl(jdbcUrl);
  }

  /** Any text that may quote a JDBC URL, password-like parameters and user-info masked. */
  static String redactUrl(String text) {
    return Secrets.maskUrl(text);
  }

  /** The database's name as its users know it, for messages ({@code PostgreSQL}). */
  default String product() {
    return name();
  }

  /** The most columns a table may have; a wider target is refused before any DDL runs. */
  default int maxColumns() {
    return Integer.MAX_VALUE;
  }

  /** SQL that lists the names of a table's indexes: binds schema (or null for the default) and table name. */
  String indexesQuery();

  /** SQL that lists a table's columns: binds schema (or null for the default) and table name. */
  String columnsQuery();

  /**
   * SQL that lists, per column of a table, whether it admits NULL ({@code YES}/{@code NO}) and the
   * most characters it holds (NULL when the database does not enforce a length): binds schema (or
   * null for the default) and table name.
   */
  default String columnRulesQuery() {
    return "SELECT column_name, is_nullable, character_maximum_length FROM information_schema.columns"
        + " WHERE table_catalog = current_database() AND table_schema = coalesce(?, current_schema()) AND table_name = ?";
  }

  /**
   * SQL that lists a table's CHECK constraints, one row per constraint and column it reads: name,
   * boolean expression (over the table's unqualified column names), column. Binds schema (or null
   * for the default) and table name.
   */
  String checksQuery();

  /**
   * When {@code e} is the database refusing a row for a rule of a table (a constraint, a value
   * too long), the rule's name if the database gives it and what the database says, in one line
   * with the values it names; empty for any other error.
   */
  default java.util.Optional<Refusal> refusal(SQLException e) {
    return java.util.Optional.empty();
  }

  /** A row refused by a rule of {@code table}: the rule's name (null if unknown) and the database's words. */
  record Refusal(String table, String constraint, String message) {}

  /** Bulk writer into the staging relation. */
  interface Stager extends AutoCloseable {
    void add(Object[] row) throws SQLException;

    /** Flushes buffered rows; after this the staged rows are queryable. */
    void finish() throws SQLException;

    @Override
    void close() throws SQLException;
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
  static boolean holdsDecimal(java.util.regex.Pattern pattern, String databaseType, DataType declared) {
    java.util.regex.Matcher m = pattern.matcher(databaseType);
    return m.matches() && Integer.parseInt(m.group(2)) == declared.scale() && Integer.parseInt(m.group(1)) >= declared.precision();
  }

  /** {@code CREATE TEMP TABLE "staged" (...)} with this dialect's types, followed by {@code suffix}. */
  default String stagingTable(Schema columns, String suffix) {
    StringBuilder ddl = new StringBuilder("CREATE TEMP TABLE ").append(dev.idem.jdbc.SqlName.quote(dev.idem.pipeline.Pipeline.STAGED)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      dev.idem.schema.Column c = columns.column(i);
      ddl.append(i == 0 ? "" : ", ").append(dev.idem.jdbc.SqlName.quote(c.name())).append(' ').append(sqlType(c.type()));
    }
    return ddl.append(')').append(suffix).toString();
  }
}
