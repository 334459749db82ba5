package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.context.RunContext;
import dev.idem.destination.Completion;
import dev.idem.destination.SupportsCsvFiles;
import dev.idem.destination.WindowWrite;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.Applied;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.jdbc.write.TombstoneSql;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.NulledValue;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.TransformParameters;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.source.CsvFiles;
import dev.idem.window.Window;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One window's write on its own connection: rows stream through the dialect's bulk path into the
 * private relation {@code staged} ({@link WindowStaging}); {@link #prepare} then runs one set-based
 * statement per step (transform, the strategy the dialect chose, fenced ledger update) and {@link
 * #commit} commits data and ledger row together ({@link CommitResolution}). Closing without commit
 * discards everything.
 */
final class JdbcWindowWrite implements WindowWrite, SupportsCsvFiles {
  private final WriteServices services;
  private final Dialect dialect;
  private final Connection connection;
  private final Pipeline pipeline;
  private final Lease lease;
  private final RunContext context;
  private final TableName table;

  /**
   * What the target refuses beyond the declared types: rows split out before staging or before the
   * apply step.
   */
  private final TargetRules rules;

  /**
   * The key's unique index: a conflict on it is another runner's insert, retried, never a refused
   * row.
   */
  private final String keyIndex;

  private final WindowStaging staging;
  private final SchemaEvolution evolution;
  private final DeadLetters.Pending deadLetters;
  private final NulledValues nulledValues;
  private ReentrantLock heldLock;
  private boolean prepared;

  /**
   * True while the strategy's statements run: a constraint error then is the target refusing a row.
   */
  private boolean applying;

  /**
   * The window's transaction id, when the database has one (PostgreSQL): taken at the end of {@link
   * #prepare}.
   */
  private Optional<String> transactionId = Optional.empty();

  JdbcWindowWrite(
      WriteServices services,
      Connection connection,
      Pipeline pipeline,
      Lease lease,
      RunContext context)
      throws SQLException {
    this.services = services;
    this.dialect = services.dialect();
    this.connection = connection;
    this.pipeline = pipeline;
    this.lease = lease;
    this.context = context;
    this.table = TableName.parse(pipeline.target().table());
    this.rules = services.rules(connection, table, pipeline);
    this.keyIndex =
        pipeline.target().key() == null
            ? null
            : new TargetTable(dialect, table, pipeline.target()).keyIndex();
    this.evolution = new SchemaEvolution(dialect, connection, pipeline, table, lease.windowId());
    this.staging =
        new WindowStaging(
            dialect,
            connection,
            table,
            rules,
            lease.windowId(),
            DirectLoads.plan(pipeline, rules, table, lease)
                .flatMap(dialect.staging()::direct)
                .orElse(null));
    this.deadLetters =
        new DeadLetters.Pending(
            pipeline.name(), lease.token(), context == null ? null : context.runId());
    this.nulledValues = new NulledValues(pipeline.name(), context == null ? null : context.runId());
  }

  private String window() {
    return lease.windowId();
  }

  @Override
  public void deadLetter(DeadLetter letter) {
    deadLetters.add(letter);
  }

  @Override
  public void nulledValue(NulledValue value) {
    nulledValues.add(value);
  }

  @Override
  public void add(Object[] row) {
    add(row, "staged row " + (staging.staged() + 1));
  }

  @Override
  public void add(Object[] row, String position) {
    staging.add(row, position);
  }

  @Override
  public boolean readsCsvFiles() {
    return staging.readsCsvFiles();
  }

  @Override
  public OptionalLong stageCsvFiles(CsvFiles files) {
    return staging.stageCsvFiles(files);
  }

  @Override
  public Column addColumn(Column proposed) {
    return staging.addColumn(proposed, evolution);
  }

  @Override
  public WindowCounts prepare(Completion completion) {
    if (prepared) {
      throw new IllegalStateException("window " + window() + " is already prepared");
    }
    prepared = true;
    try {
      staging.finish();
      staging.isolateRefusedRows(completion, deadLetters);
      ReentrantLock lock = services.writeLock();
      if (lock != null) {
        // The staged rows are private to this connection, so committing them publishes nothing;
        // the apply step then starts a fresh snapshot while it holds the process's write lock.
        connection.commit();
        lock.lock();
        heldLock = lock;
      }
      WindowCounts counts = apply(completion);
      // taken now, so that a COMMIT lost with its connection can be resolved by asking the server
      transactionId = dialect.writes().transactionId(connection);
      return counts;
    } catch (SQLException e) {
      if (applying) {
        Optional<DataException> refusal = rules.explain(dialect, e, window(), keyIndex);
        if (refusal.isPresent()) {
          throw refusal.get();
        }
      }
      throw Jdbc.translate(
          dialect,
          e,
          "window "
              + window()
              + ": apply "
              + pipeline.target().strategy().label()
              + " to "
              + table);
    }
  }

  /**
   * Under the target's lock: evolves the target, runs the transform, applies the strategy the
   * dialect chose for this window, then records the window done under its lease.
   */
  private WindowCounts apply(Completion completion) throws SQLException {
    applying = true;
    dialect.writes().lockTarget(connection, table.toString());
    Target target =
        pipeline.schemaDrift() == DriftPolicy.EVOLVE ? evolution.evolve() : pipeline.target();
    // with deletes, the window's time, in its transaction under the target's lock: when its
    // tombstones are recorded, and which of them are past the retention (forgotten in this
    // transaction, and hiding none of its deletes)
    Instant now = target.deletes() == null ? null : services.now(connection);
    Duration retention = now == null ? null : target.deletes().retention();
    Instant forgetBefore = retention == null ? null : now.minus(retention);
    StrategySql sql =
        new StrategySql(
            table,
            target,
            dialect.writes()::insertConflictClause,
            Window.orderKey(pipeline.windows().kind(), window()),
            forgetBefore);
    String source = Pipeline.STAGED;
    long staged = staging.staged();
    long sourceRows = staged;
    if (pipeline.transformSql() != null) {
      // :window_start, :window_end and :logical_date become typed literals of this window's values
      String transform =
          TransformParameters.bind(
              pipeline.transformSql(), context, pipeline.windows().zone(), windowColumnKind());
      Jdbc.execute(connection, sql.transform(transform));
      checkTransformColumns();
      rules.checkTransformed(connection, window());
      source = StrategySql.TRANSFORMED;
      sourceRows = Jdbc.queryLong(connection, sql.count(source), null);
    }
    OptionalLong direct =
        source.equals(Pipeline.STAGED) ? staging.loadDirectly() : OptionalLong.empty();
    Applied applied =
        direct.isPresent()
            ? DirectLoads.applied(direct.getAsLong())
            : dialect
                .writes()
                .strategy(target, sql, window(), dialect.staging()::analyze)
                .apply(connection, source);
    TombstoneSql tombstones = sql.tombstones();
    if (tombstones != null) {
      Jdbc.update(connection, tombstones.stamp(), JdbcLedger.utc(now));
      if (forgetBefore != null) {
        Jdbc.update(connection, tombstones.expire(), JdbcLedger.utc(forgetBefore));
      }
    }
    if (applied.supersedesOtherWindows()) {
      // Every other window's rows are gone or now belong to this one: their ledger rows must
      // not count as loaded any more, or re-running one of them would be skipped as unchanged.
      JdbcLedger.supersede(connection, pipeline.name(), window());
    }
    for (String other : applied.otherWindows()) {
      JdbcLedger.recount(
          connection,
          pipeline.name(),
          other,
          Jdbc.queryLong(connection, sql.rowsOfWindow(), other));
    }
    long targetRows = Jdbc.queryLong(connection, sql.rowsOfWindow(), window());
    WindowCounts counts =
        new WindowCounts(
            completion.read(),
            completion.discarded(),
            completion.deadLettered() + staging.refused(),
            staged - sourceRows,
            sourceRows - applied.rows(),
            applied.inserted(),
            applied.updated(),
            applied.unchanged(),
            applied.skipped(),
            applied.deleted(),
            applied.replaced(),
            targetRows,
            0,
            nulledValues.count());
    return complete(completion, counts);
  }

  /** The type of the window column (null when the windows have none): the bounds' SQL type. */
  private DataType.Kind windowColumnKind() {
    String column = pipeline.windows().column();
    return column == null
        ? null
        : pipeline.source().schema().find(column).map(c -> c.type().kind()).orElse(null);
  }

  /**
   * Records the window done under the lease, and the results of its cheap reconciliation checks, in
   * the data transaction: a committed window always has them.
   */
  private WindowCounts complete(Completion completion, WindowCounts counts) throws SQLException {
    applying = false;
    deadLetters.publish(connection, window(), services.now(connection));
    nulledValues.publish(connection, window(), services.now(connection));
    services
        .ledger()
        .complete(connection, lease, completion, counts, context.runId(), pipeline.version());
    new JdbcChecks(dialect, pipeline)
        .afterLoad(
            connection,
            window(),
            completion.fingerprint(),
            counts,
            context.runId(),
            services.now(connection));
    return counts;
  }

  private void checkTransformColumns() throws SQLException {
    Set<String> have = new HashSet<>();
    List<String> ordered = new ArrayList<>();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT * FROM " + SqlName.quote(StrategySql.TRANSFORMED) + " LIMIT 0");
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        have.add(md.getColumnLabel(i));
        ordered.add(md.getColumnLabel(i));
      }
    }
    List<String> needed = new ArrayList<>(pipeline.target().storedColumns().names());
    if (pipeline.target().hasDeletes() && !needed.contains(pipeline.target().deletes().column())) {
      needed.add(pipeline.target().deletes().column());
    }
    for (String c : needed) {
      if (!have.contains(c)) {
        throw new DataException(
            "transform of pipeline "
                + pipeline.name()
                + " does not output column "
                + c
                + " (it outputs "
                + ordered
                + ")");
      }
    }
  }

  @Override
  public void commit() {
    if (!prepared) {
      throw new IllegalStateException("window " + window() + " must be prepared before commit");
    }
    try {
      services.commits().commit(connection, window(), transactionId);
    } finally {
      unlock();
    }
  }

  private void unlock() {
    if (heldLock != null) {
      heldLock.unlock();
      heldLock = null;
    }
  }

  @Override
  public void close() {
    try {
      staging.close();
      deadLetters.close();
      // Closing without commit discards the transaction, as a dead process's connection would.
      Jdbc.closeQuietly(connection);
    } finally {
      unlock();
    }
  }

  @Override
  public String toString() {
    return "write of window "
        + window()
        + " into "
        + table
        + " ("
        + (context == null ? "" : context.runId())
        + ")";
  }
}
