package dev.idem.jdbc;

import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.check.CheckResult;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.Finding;
import dev.idem.destination.SupportsChecks;
import dev.idem.destination.SupportsDeletes;
import dev.idem.destination.SupportsDoctor;
import dev.idem.destination.SupportsMerge;
import dev.idem.destination.SupportsNulledValues;
import dev.idem.destination.SupportsReplaceTable;
import dev.idem.destination.SupportsReplaceWindow;
import dev.idem.destination.SupportsSchemaEvolution;
import dev.idem.destination.SupportsSqlTransform;
import dev.idem.destination.SupportsVerification;
import dev.idem.destination.WindowWrite;
import dev.idem.jdbc.dialect.Admin;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.dialect.Dialects;
import dev.idem.jdbc.dialect.PresenceLocks;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.TombstoneSql;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.ledger.Presence;
import dev.idem.notify.OutboxEntry;
import dev.idem.notify.SupportsOutbox;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A JDBC database as destination: the ledger lives in its {@code _idem} schema and every window
 * commits its rows and its ledger row in one transaction. Thread-safe: concurrent runners in one
 * process share one instance (each window's write uses its own connection).
 */
public final class JdbcDestination
    implements Destination,
        SupportsMerge,
        SupportsDeletes,
        SupportsReplaceWindow,
        SupportsReplaceTable,
        SupportsSqlTransform,
        SupportsVerification,
        SupportsChecks,
        SupportsDoctor,
        SupportsSchemaEvolution,
        SupportsNulledValues,
        SupportsOutbox {
  private final String url;
  private final Properties properties;
  private final Dialect dialect;
  private final RunServices services;
  private final JdbcLedger ledger = new JdbcLedger(this);

  /** Held while a window applies and commits, when the dialect needs writers serialized. */
  private final ReentrantLock writeLock;

  private final boolean ownsConnection;

  /**
   * The first connection, and idle ones for {@link #transaction}; shared by the views {@link
   * #withServices} makes.
   */
  private final Connections connections;

  /** COMMITs whose reply was lost, answered by transaction id. */
  private final UnknownCommits unknownCommits = new UnknownCommits();

  /** What each window's write is handed when it begins. */
  private final WriteServices writeServices;

  /** Set once by {@link #openReadOnly}: reads then never migrate the ledger (it was checked). */
  private volatile boolean readOnly;

  /** For a scratch database: removes it after this instance closed its connections. */
  private volatile Admin.Drop dropOnClose;

  /**
   * Runners of this process that entered and have not finished; shared by the views {@link
   * #withServices} makes.
   */
  private final Presences presences;

  /** The pipelines that keep an outbox here; shared by the views {@link #withServices} makes. */
  private final Outbox outbox;

  private JdbcDestination(
      String url,
      Properties properties,
      Dialect dialect,
      RunServices services,
      Connections connections,
      ReentrantLock writeLock,
      boolean ownsConnection,
      Presences presences,
      Outbox outbox) {
    this.connections = connections;
    this.outbox = outbox != null ? outbox : new Outbox();
    this.presences =
        presences != null
            ? presences
            : new Presences(dialect.admin().presenceLocks(), connections::open);
    this.url = url;
    this.properties = properties;
    this.dialect = dialect;
    this.services = services;
    this.writeLock = writeLock;
    this.ownsConnection = ownsConnection;
    this.writeServices =
        new WriteServices(
            dialect,
            ledger,
            services.clock(),
            writeLock(),
            new CommitResolution(
                dialect,
                connections,
                unknownCommits,
                new Retrier(CommitResolution.LOOKS, services.sleeper(), services.seed())));
  }

  /**
   * The same database seen by a runner with other services (another owner identity, clock or fault
   * injector), sharing this instance's connection and write lock; closing it leaves this instance
   * open. This is how several runners of one process share one DuckDB file.
   */
  public JdbcDestination withServices(RunServices other) {
    return new JdbcDestination(
        url, properties, dialect, other, connections, writeLock, false, presences, outbox);
  }

  /**
   * The same database opened again, as another process would, with other services. For a
   * single-process database (DuckDB) that is {@link #withServices}: a second open would wait for
   * this process's own file lock.
   */
  @Override
  public JdbcDestination reopen(RunServices other) {
    return dialect.singleProcess()
        ? withServices(other)
        : open(url, properties, other, Duration.ZERO);
  }

  /**
   * Connects to the database at {@code jdbcUrl}; waits up to {@code lockTimeout} for a database
   * file another process holds, then fails naming the holder.
   */
  public static JdbcDestination open(
      String jdbcUrl, Properties properties, RunServices services, Duration lockTimeout) {
    Dialect dialect = Dialects.forUrl(jdbcUrl);
    Properties props = properties == null ? new Properties() : (Properties) properties.clone();
    String cannotOpen = "cannot open " + dialect.redact(jdbcUrl) + ": ";
    try {
      return services
          .retrier()
          .call(
              attempt -> {
                try {
                  ReentrantLock writeLock = new ReentrantLock(true);
                  Connections connections =
                      new Connections(
                          dialect,
                          jdbcUrl,
                          props,
                          dialect.connect(jdbcUrl, props, lockTimeout),
                          dialect.serializeApply() ? writeLock : null);
                  return new JdbcDestination(
                      jdbcUrl, props, dialect, services, connections, writeLock, true, null, null);
                } catch (SQLException e) {
                  // a refused or dropped connection may be a server restarting: retried like a
                  // window's transient failure
                  if (dialect.classify(e) == Dialect.ErrorKind.TRANSIENT) {
                    throw new TransientException(e.getMessage(), e);
                  }
                  throw new IdemException(
                      cannotOpen
                          + connectFailure(dialect, e)
                          + (attempt > 1 ? " (" + attempt + " attempts)" : ""),
                      e);
                }
              },
              Retrier.Retried.QUIETLY);
    } catch (Retrier.GaveUp e) {
      SQLException last = (SQLException) e.getCause().getCause();
      throw new IdemException(
          cannotOpen
              + connectFailure(dialect, last)
              + (e.attempts() > 1 ? " (" + e.attempts() + " attempts)" : ""),
          last);
    } catch (Retrier.Interrupted e) {
      throw new IdemException(cannotOpen + "interrupted", e.getCause());
    }
  }

  /**
   * Opens the database at {@code jdbcUrl} for reading only ({@code idem serve}): every connection
   * is read-only (the database itself refuses writes), a database file another process holds fails
   * at once naming the holder, and a ledger that cannot be read as it is fails with one line saying
   * why (none yet: the pipeline never ran; another version's: the next run migrates it, or idem is
   * too old). Nothing is created or migrated.
   */
  public static JdbcDestination openReadOnly(
      String jdbcUrl, Properties properties, RunServices services) {
    Dialect dialect = Dialects.forUrl(jdbcUrl);
    JdbcDestination d =
        open(
            jdbcUrl,
            dialect.readOnly(properties == null ? new Properties() : properties),
            services,
            Duration.ZERO);
    try {
      d.transaction(
          "read the ledger's version",
          c -> {
            LedgerSchema.requireReadable(c, d.describe());
            return null;
          });
      d.readOnly = true;
      return d;
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /**
   * Why a connection failed, in one line: the driver's message, masked (a driver may quote the URL
   * it was given), and the host name when the driver only says the attempt failed.
   */
  private static String connectFailure(Dialect dialect, SQLException e) {
    String message = dialect.redact(Jdbc.firstLine(e.getMessage()));
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof UnknownHostException u) {
        return message + " (unknown host " + dialect.redact(String.valueOf(u.getMessage())) + ")";
      }
    }
    return message;
  }

  /**
   * Opens a new, empty database of the same kind as the one at {@code jdbcUrl} (a scratch database
   * on the same server, or a temporary DuckDB file), removed when the returned instance is closed.
   * The database at {@code jdbcUrl} itself is never written.
   */
  public static JdbcDestination scratch(
      String jdbcUrl, Properties properties, RunServices services) {
    Dialect dialect = Dialects.forUrl(jdbcUrl);
    Admin.Scratch scratch;
    try {
      scratch =
          dialect.admin().scratch(jdbcUrl, properties == null ? new Properties() : properties);
    } catch (SQLException e) {
      throw Jdbc.translate(
          dialect, e, "create a scratch database beside " + dialect.redact(jdbcUrl));
    }
    JdbcDestination d;
    try {
      d = open(scratch.url(), properties, services, Duration.ZERO);
    } catch (RuntimeException e) {
      try {
        scratch.drop().run();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    d.dropOnClose = scratch.drop();
    return d;
  }

  public Dialect dialect() {
    return dialect;
  }

  @Override
  public String describe() {
    return dialect.redact(url);
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void prepare(Pipeline pipeline) {
    writeServices.forgetRules(pipeline);
    TargetTable table =
        new TargetTable(dialect, TableName.parse(pipeline.target().table()), pipeline.target());
    transaction(
        "prepare ledger and table " + pipeline.target().table(),
        c -> {
          LedgerSchema.migrate(c);
          table.ensureTable(c, pipeline.windows().kind());
          return null;
        });
    transaction(
        "create indexes of " + pipeline.target().table(),
        c -> {
          table.ensureIndexes(c);
          return null;
        });
  }

  @Override
  public WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context) {
    try {
      Connection c = connections.open();
      try {
        dialect.configure(c, services.leaseTtl());
        c.setAutoCommit(false);
        return new JdbcWindowWrite(writeServices, c, pipeline, lease, context);
      } catch (SQLException | RuntimeException e) {
        Jdbc.closeQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw Jdbc.translate(dialect, e, "begin window " + lease.windowId());
    }
  }

  @Override
  public long rowsInTarget(Pipeline pipeline, String windowId) {
    TableName table = TableName.parse(pipeline.target().table());
    return transaction(
        "count rows of window " + windowId,
        c ->
            new TargetTable(dialect, table, pipeline.target()).columns(c).isEmpty()
                ? 0L
                : Jdbc.queryLong(
                    c,
                    new StrategySql(
                            table, pipeline.target(), dialect.writes()::insertConflictClause)
                        .rowsOfWindow(),
                    windowId));
  }

  @Override
  public void dropTarget(Pipeline pipeline) {
    TableName table = TableName.parse(pipeline.target().table());
    transaction(
        "drop table " + table,
        c -> {
          LedgerSchema.migrate(c);
          Jdbc.execute(c, "DROP TABLE IF EXISTS " + table.sql());
          // the target's tombstones go with its rows
          Jdbc.execute(c, "DROP TABLE IF EXISTS " + TombstoneSql.table(table).sql());
          JdbcLedger.deleteRows(c, pipeline.name(), Optional.empty());
          JdbcChecks.delete(c, pipeline.name());
          return null;
        });
  }

  /**
   * Runs the checks in one transaction after migrating the ledger (the target table is neither
   * created nor altered: a missing one holds no rows). A transient failure (a concurrent window
   * recording the same result first) runs them again, as a window is retried.
   */
  @Override
  public List<CheckResult> check(Pipeline pipeline, Optional<Set<String>> windowIds, String runId) {
    return services
        .retrier()
        .call(
            "check " + pipeline.name(),
            () ->
                transaction(
                    "check " + pipeline.name(),
                    c -> {
                      LedgerSchema.migrate(c);
                      return new JdbcChecks(dialect, pipeline)
                          .run(c, windowIds, runId, now(c), this::leaseHolderAlive);
                    }));
  }

  /** The checks of {@link #check}, on the ledger as it is, recording nothing. */
  @Override
  public List<CheckResult> spotCheck(Pipeline pipeline, Optional<Set<String>> windowIds) {
    return transaction(
        "spot-check " + pipeline.name(),
        c ->
            new JdbcChecks(dialect, pipeline)
                .compute(c, windowIds, "", now(c), this::leaseHolderAlive));
  }

  @Override
  public List<CheckResult> checks(String pipeline) {
    return transaction(
        "read checks of " + pipeline,
        c -> JdbcChecks.read(c, pipeline, Optional.empty(), Optional.empty()));
  }

  /**
   * What killed or stalled runners left for this pipeline here: see {@link JdbcDoctor} for each
   * finding, how it is read and how its fix is fenced. Changes nothing; the lease time of this
   * instance's services is the idle time past which another session's transaction is a finding.
   */
  @Override
  public List<Finding> diagnose(Pipeline pipeline) {
    return new JdbcDoctor(this, pipeline).diagnose();
  }

  @Override
  public void close() {
    if (ownsConnection) {
      presences.close();
      connections.close();
    }
    Admin.Drop drop = dropOnClose;
    dropOnClose = null;
    if (drop != null) {
      try {
        drop.run();
      } catch (SQLException e) {
        throw Jdbc.translate(dialect, e, "drop the scratch database " + describe());
      }
    }
  }

  @Override
  public List<String> tableRows(String table) {
    // a parenthesised relation is taken as a subquery (tests read catalog functions this way)
    String relation = table.startsWith("(") ? table : TableName.parse(table).sql();
    // the window order is a function of _idem_window (Window.orderKey): shown by it
    return transaction(
        "snapshot " + table, c -> rendered(c, relation, Set.of(StrategySql.WINDOW_ORDER_COLUMN)));
  }

  /**
   * The tombstones of {@code pipeline}'s target, each rendered as a row of {@link #tableRows}
   * without the time it was recorded (which differs between two runs of the same windows).
   */
  @Override
  public List<String> tombstones(Pipeline pipeline) {
    TableName tombstones = TombstoneSql.table(TableName.parse(pipeline.target().table()));
    return transaction(
        "snapshot " + tombstones,
        c ->
            new TargetTable(dialect, tombstones, pipeline.target()).columns(c).isEmpty()
                ? List.of()
                : rendered(
                    c,
                    tombstones.sql(),
                    Set.of(StrategySql.WINDOW_ORDER_COLUMN, TombstoneSql.RECORDED_AT)));
  }

  /** Every row of {@code relation} as {@code column=value|...}, but {@code skipped}, sorted. */
  private static List<String> rendered(Connection c, String relation, Set<String> skipped)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (var ps = c.prepareStatement("SELECT * FROM " + relation);
        var rs = ps.executeQuery()) {
      var md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          if (skipped.contains(md.getColumnLabel(i))) {
            continue;
          }
          sb.append(sb.length() == 0 ? "" : "|")
              .append(md.getColumnLabel(i))
              .append('=')
              .append(rs.getString(i));
        }
        rows.add(sb.toString());
      }
    }
    Collections.sort(rows);
    return rows;
  }

  JdbcLedger ledgerRows() {
    return ledger;
  }

  Connection connection() throws SQLException {
    return connections.open();
  }

  /**
   * The time leases are judged by: the database's clock for a server database, else the runner's.
   */
  Instant now(Connection c) throws SQLException {
    return dialect.now(c, services.clock());
  }

  /**
   * Before a ledger read: migrates the ledger, except on a read-only instance, whose ledger was
   * found at this idem's version when it opened.
   */
  void ledgerForReading(Connection c) throws SQLException {
    if (!readOnly) {
      LedgerSchema.migrate(c);
    }
  }

  Duration leaseTtl() {
    return services.leaseTtl();
  }

  /**
   * Whether a lease holder is alive: a runner of this process is while it is present; one of
   * another process is, on a database that admits one process at a time (a DuckDB file), never, and
   * elsewhere while it holds its presence lock. Where the database has no such lock it is taken for
   * alive, and only its lease's expiry frees its windows.
   */
  boolean leaseHolderAlive(Connection c, String owner) throws SQLException {
    if (owner == null) {
      return false;
    }
    if (presences.contains(owner)) {
      return true;
    }
    if (dialect.singleProcess()) {
      return false;
    }
    Optional<PresenceLocks> locks = dialect.admin().presenceLocks();
    return locks.isEmpty() || locks.get().held(c, owner);
  }

  /**
   * Announces runner {@code owner} alive until the returned presence is closed: in this process,
   * and where the database has presence locks, to other processes (see {@link Presences}). Never
   * fails: a lock that cannot be taken now (the server is restarting) is taken at the runner's next
   * claim, or by the keeper.
   */
  Presence enter(String owner) {
    presences.enter(owner);
    return Presence.endingWith(() -> presences.leave(owner));
  }

  /**
   * Whether runner {@code owner}'s presence lock is held (taking it if not); true where there is
   * nothing to hold.
   */
  boolean presenceHeld(String owner) {
    return presences.held(owner);
  }

  /**
   * How many window COMMITs lost mid-way had their outcome answered by transaction id, by answer:
   * {@code committed} true or false (either way the runner then resolves the commit from the
   * window's ledger row). For operators and tests.
   */
  public long unknownCommitsResolved(boolean committed) {
    return unknownCommits.resolved(committed);
  }

  Outbox outbox() {
    return outbox;
  }

  @Override
  public void keepOutbox(String pipeline, Set<OutboxEntry.Event> events) {
    transaction(
        "create the outbox",
        c -> {
          LedgerSchema.migrate(c); // the outbox is one of the ledger's tables
          return null;
        });
    outbox.keep(pipeline, events);
  }

  @Override
  public List<OutboxEntry> undelivered(String pipeline) {
    return transaction("read the outbox", c -> Outbox.undelivered(c, pipeline));
  }

  @Override
  public void delivered(OutboxEntry entry) {
    transaction(
        "mark a notification delivered",
        c -> {
          Outbox.delivered(c, entry, now(c));
          return null;
        });
  }

  ReentrantLock writeLock() {
    return dialect.serializeApply() ? writeLock : null;
  }

  /** Work on one connection inside a transaction of its own; committed when it returns. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction of its own on this database, for a connector that keeps its
   * own tables beside the ledger here (the HTTP destination's sent-request ledger, issue 17). A
   * failure is translated like any ledger write's ({@code what} names it).
   */
  public <T> T inTransaction(String what, Work<T> work) {
    return connections.transaction(what, work::run);
  }

  /**
   * Runs short work (ledger reads and claims, DDL) in a transaction of its own, on a pooled
   * connection (see {@link Connections#transaction}).
   */
  <T> T transaction(String what, Connections.Work<T> work) {
    return connections.transaction(what, work);
  }
}
