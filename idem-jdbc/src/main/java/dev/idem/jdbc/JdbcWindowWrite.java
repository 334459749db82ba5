package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import dev.idem.destination.Completion;
import dev.idem.destination.RowRefusedException;
import dev.idem.destination.RowsRefusedException;
import dev.idem.destination.WindowWrite;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.context.RunContext;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One window's write on its own connection: rows stream through the dialect's bulk path into the
 * private relation {@code staged}; {@link #prepare} then runs one set-based statement per step
 * (transform, dedup, strategy, fenced ledger update) and {@link #commit} commits data and ledger
 * row together. Closing without commit discards everything.
 */
final class JdbcWindowWrite implements WindowWrite {
  private final JdbcDestination destination;
  private final Dialect dialect;
  private final Connection connection;
  private final Pipeline pipeline;
  private final Lease lease;
  private final RunContext context;
  private final TableName table;
  /** The strategy's SQL; under schema_drift evolve, rebuilt over the target's columns as they are when the window applies. */
  private StrategySql sql;
  private Dialect.Stager stager;
  /** What the target refuses beyond the declared types: rows split out before staging or before the apply step. */
  private final TargetRules rules;
  /** The key's unique index: a conflict on it is another runner's insert, retried, never a refused row. */
  private final String keyIndex;
  /** Columns the input gained (evolve), staged after the pipeline's staged columns, in the order they came. */
  private final List<Column> added = new ArrayList<>();
  /** The target's columns as this window's transaction first saw them (read when a column is added). */
  private Map<String, String> targetColumns;
  private ReentrantLock heldLock;
  private long staged;
  /** Staged rows a CHECK constraint of the target refused (dead letters, no longer staged). */
  private long refused;
  private boolean prepared;
  /** True while the strategy's statements run: a constraint error then is the target refusing a row. */
  private boolean applying;
  /** The window's transaction id, when the database has one (PostgreSQL): taken at the end of {@link #prepare}. */
  private Optional<String> transactionId = Optional.empty();
  private final DeadLetters.Pending deadLetters;

  JdbcWindowWrite(JdbcDestination destination, Connection connection, Pipeline pipeline, Lease lease, RunContext context) throws SQLException {
    this.destination = destination;
    this.dialect = destination.dialect();
    this.connection = connection;
    this.pipeline = pipeline;
    this.lease = lease;
    this.context = context;
    this.table = TableName.parse(pipeline.target().table());
    this.sql = new StrategySql(table, pipeline.target(), dialect::insertConflictClause);
    this.rules = TargetRules.read(connection, dialect, table, pipeline);
    this.keyIndex = pipeline.target().key() == null ? null : new TargetTable(dialect, table, pipeline.target()).keyIndex();
    this.stager = dialect.stage(connection, rules.stagedColumns());
    this.deadLetters = new DeadLetters.Pending(pipeline.name(), lease.token(), context == null ? null : context.runId());
  }

  private String window() {
    return lease.windowId();
  }

  @Override
  public void deadLetter(dev.idem.ledger.DeadLetter letter) {
    deadLetters.add(letter);
  }

  @Override
  public void add(Object[] row) {
    add(row, "staged row " + (staged + 1));
  }

  /** Refuses a row the target cannot hold ({@link RowRefusedException}), else stages it. */
  @Override
  public void add(Object[] row, String position) {
    rules.refuse(row);
    try {
      stager.add(rules.staged(row, staged + 1, position));
      staged++;
    } catch (SQLException e) {
      throw Jdbc.translate(dialect, e, "window " + window() + ": staging row " + (staged + 1));
    }
  }

  /**
   * Stages one more column. Its type is the target's own when the target has a column of that
   * name already (an earlier window added it, or a person changed it), so values are converted
   * strictly by the reader instead of by a cast here; the target itself gets the column when the
   * window applies, in its transaction ({@link #evolve}).
   */
  @Override
  public Column addColumn(Column proposed) {
    if (proposed.name().startsWith("_idem_")) {
      throw new DataException("input column '" + proposed.name() + "' uses idem's reserved prefix _idem_: it cannot be added to table " + table);
    }
    if (rules.stagesPositions()) {
      // the rows' places and positions are staged after the declared columns for the CHECK evaluation
      throw new DataException("table " + table + " has CHECK constraints idem evaluates on the staged rows, so schema_drift evolve cannot"
          + " add input column '" + proposed.name() + "' to it: declare the column in the pipeline");
    }
    try {
      // the bulk path ends first: a PostgreSQL connection runs no query while a COPY is open
      stager.finish();
      stager.close();
      if (targetColumns == null) {
        targetColumns = new TargetTable(dialect, table, pipeline.target()).columns(connection);
      }
      String existing = targetColumns.get(proposed.name());
      Column column = proposed;
      if (existing != null && !dialect.compatible(proposed.type(), existing)) {
        DataType type = dialect.dataType(existing).orElseThrow(() -> new DataException("table " + table + ": column " + proposed.name() + " is "
            + existing + ", which idem cannot load the input's " + proposed.type() + " values into: declare the column in the pipeline"));
        column = new Column(proposed.name(), type, true);
      }
      Jdbc.execute(connection, "ALTER TABLE " + SqlName.quote(Pipeline.STAGED) + " ADD COLUMN " + SqlName.quote(column.name()) + " " + dialect.sqlType(column.type()));
      added.add(column);
      List<Column> all = new ArrayList<>(pipeline.stagedColumns().columns());
      all.addAll(added);
      stager = dialect.restage(connection, new Schema(all));
      return column;
    } catch (SQLException e) {
      throw Jdbc.translate(dialect, e, "window " + window() + ": stage input column " + proposed.name());
    }
  }

  @Override
  public WindowCounts prepare(Completion completion) {
    if (prepared) {
      throw new IllegalStateException("window " + window() + " is already prepared");
    }
    prepared = true;
    try {
      stager.finish();
      stager.close();
      isolateRefusedRows(completion);
      ReentrantLock lock = destination.writeLock();
      if (lock != null) {
        // The staged rows are private to this connection, so committing them publishes nothing;
        // the apply step then starts a fresh snapshot while it holds the process's write lock.
        connection.commit();
        lock.lock();
        heldLock = lock;
      }
      WindowCounts counts = apply(completion);
      // taken now, so that a COMMIT lost with its connection can be resolved by asking the server
      transactionId = dialect.transactionId(connection);
      return counts;
    } catch (SQLException e) {
      if (applying) {
        Optional<DataException> refusal = rules.explain(dialect, e, window(), keyIndex);
        if (refusal.isPresent()) {
          throw refusal.get();
        }
      }
      throw Jdbc.translate(dialect, e, "window " + window() + ": apply " + pipeline.target().strategy().label() + " to " + table);
    }
  }

  /**
   * Moves the staged rows a CHECK constraint of the target refuses to the window's dead letters,
   * before anything is applied; past the pipeline's bad-record limits the window fails with them.
   */
  private void isolateRefusedRows(Completion completion) {
    List<dev.idem.ledger.DeadLetter> letters;
    try {
      letters = rules.isolate(connection, window());
    } catch (SQLException e) {
      throw Jdbc.translate(dialect, e, "window " + window() + ": evaluate the CHECK constraints of table " + table + " on the staged rows");
    }
    if (letters.isEmpty()) {
      return;
    }
    letters.forEach(deadLetters::add);
    refused = letters.size();
    staged -= refused;
    String exceeded = pipeline.badRecords().exceeded(completion.deadLettered() + refused, completion.read(), true);
    if (exceeded != null) {
      throw new RowsRefusedException(exceeded, letters);
    }
  }

  /** Records the reader kept as dead letters, and the staged rows the target refused. */
  private long deadLettered(Completion completion) {
    return completion.deadLettered() + refused;
  }

  private WindowCounts apply(Completion completion) throws SQLException {
    applying = true;
    dialect.lockTarget(connection, table.toString());
    Target target = pipeline.schemaDrift() == DriftPolicy.EVOLVE ? evolve() : pipeline.target();
    String source = Pipeline.STAGED;
    long sourceRows = staged;
    if (pipeline.transformSql() != null) {
      Jdbc.execute(connection, sql.transform(pipeline.transformSql()));
      checkTransformColumns();
      rules.checkTransformed(connection, window());
      source = StrategySql.TRANSFORMED;
      sourceRows = Jdbc.queryLong(connection, sql.count(source), null);
    }
    if (dialect.writesInOneStatement() && target.strategy() == WriteStrategy.MERGE) {
      return mergeInOneStatement(source, sourceRows, completion);
    }
    if (dialect.writesInOneStatement() && target.strategy() == WriteStrategy.REPLACE_WINDOW && target.key() != null) {
      return replaceWindowInOneStatement(source, sourceRows, completion);
    }
    Jdbc.execute(connection, sql.dedup(source));
    dialect.analyze(connection, StrategySql.ROWS);
    long rows = Jdbc.queryLong(connection, sql.count(StrategySql.ROWS), null);
    if (target.key() != null) {
      long nullKeys = Jdbc.queryLong(connection, sql.nullKeys(), null);
      if (nullKeys > 0) {
        throw new DataException("window " + window() + ": " + nullKeys + " rows have a NULL in key " + target.key().targetColumns() + "; a key must identify a row");
      }
    }
    long inserted = 0;
    long updated = 0;
    long deleted = 0;
    long replaced = 0;
    Set<String> affected = new HashSet<>();
    switch (target.strategy()) {
      case APPEND -> inserted = insertNew();
      case MERGE -> {
        affected.addAll(strings(sql.otherWindowsSharingKeys()));
        if (target.deleteFlag() != null) {
          deleted = Jdbc.update(connection, sql.mergeDelete(), window());
        }
        updated = Jdbc.update(connection, sql.mergeUpdate(), window());
        inserted = insertNew();
      }
      case REPLACE_WINDOW -> {
        if (target.key() == null) {
          replaced = Jdbc.update(connection, sql.deleteWindow(), window());
          inserted = Jdbc.update(connection, sql.insertAll(), window());
        } else {
          rejectKeysOfOtherWindows();
          replaced = Jdbc.update(connection, sql.deleteMissing(false), window());
          updated = Jdbc.update(connection, sql.replaceUpdate(), window());
          inserted = insertNew();
        }
      }
      case REPLACE_TABLE -> {
        if (target.key() == null) {
          replaced = Jdbc.update(connection, sql.deleteAll(), null);
          inserted = Jdbc.update(connection, sql.insertAll(), window());
        } else {
          replaced = Jdbc.update(connection, sql.deleteMissing(true), null);
          updated = Jdbc.update(connection, sql.replaceUpdate(), window());
          inserted = insertNew();
        }
        // Every other window's rows are gone or now belong to this one: their ledger rows must
        // not count as loaded any more, or re-running one of them would be skipped as unchanged.
        JdbcLedger.supersede(connection, pipeline.name(), window());
      }
    }
    for (String other : affected) {
      JdbcLedger.recount(connection, pipeline.name(), other, Jdbc.queryLong(connection, sql.rowsOfWindow(), other));
    }
    long targetRows = Jdbc.queryLong(connection, sql.rowsOfWindow(), window());
    long unchanged = target.strategy() == WriteStrategy.APPEND ? 0 : rows - inserted - updated - deleted;
    long skipped = target.strategy() == WriteStrategy.APPEND ? rows - inserted : 0;
    return complete(completion, new WindowCounts(completion.read(), completion.discarded(), deadLettered(completion), staged - sourceRows, sourceRows - rows,
        inserted, updated, unchanged, skipped, deleted, replaced, targetRows));
  }

  /**
   * Schema_drift evolve, under the target's lock: adds the columns the input gained to the target
   * (nullable; in this transaction, so they appear with the window's rows or not at all), and stages
   * the target's other undeclared columns as NULL, so the window writes whole rows of the target's
   * current columns whatever order windows load in. Returns the target with those columns.
   */
  private Target evolve() throws SQLException {
    Target target = pipeline.target();
    TargetTable targetTable = new TargetTable(dialect, table, target);
    Map<String, String> now = targetTable.columns(connection);
    Set<String> known = new HashSet<>(target.storedColumns().names());
    known.add(StrategySql.WINDOW_COLUMN);
    added.forEach(c -> known.add(c.name()));
    List<Column> columns = new ArrayList<>(target.columns().columns());
    for (Map.Entry<String, String> e : now.entrySet()) {
      Optional<DataType> type = e.getValue() == null ? Optional.empty() : dialect.dataType(e.getValue());
      if (!known.contains(e.getKey()) && type.isPresent()) {
        Column c = new Column(e.getKey(), type.get(), true);
        Jdbc.execute(connection, "ALTER TABLE " + SqlName.quote(Pipeline.STAGED) + " ADD COLUMN " + SqlName.quote(c.name()) + " " + dialect.sqlType(c.type()));
        columns.add(c);
      }
    }
    for (Column c : added) {
      String existing = now.get(c.name());
      if (existing == null) {
        Jdbc.execute(connection, targetTable.addColumn(c));
      } else if (!dialect.compatible(c.type(), existing)) {
        throw new TransientException("window " + window() + ": column " + c.name() + " of table " + table + " became " + existing
            + " while the window was staged as " + c.type() + " (another window added it): retrying", null);
      }
      columns.add(c);
    }
    if (columns.size() == target.columns().size()) {
      return target;
    }
    Target widened = new Target(target.table(), new Schema(columns), target.key(), target.strategy(), target.orderBy(), target.deleteFlag());
    sql = new StrategySql(table, widened, dialect::insertConflictClause);
    return widened;
  }

  /**
   * Merge as one statement (see {@link StrategySql#mergeInOneStatement}): the window's rows are
   * read once and only the rows that change are written, instead of a dedup table, its
   * statistics and a join against the target per step. A NULL key fails the window after the
   * statement, which writes no such row; the rollback discards the rest.
   */
  private WindowCounts mergeInOneStatement(String source, long sourceRows, Completion completion) throws SQLException {
    String merge = sql.mergeInOneStatement(source);
    long rows;
    long inserted;
    long updated;
    long deleted;
    List<String> affected = new ArrayList<>();
    try (PreparedStatement ps = bound(merge); ResultSet rs = ps.executeQuery()) {
      rs.next();
      rows = rs.getLong(1);
      long nullKeys = rs.getLong(2);
      if (nullKeys > 0) {
        throw nullKeys(nullKeys);
      }
      inserted = rs.getLong(3);
      updated = rs.getLong(4);
      deleted = rs.getLong(5);
      Array windows = rs.getArray(6);
      try {
        affected.addAll(List.of((String[]) windows.getArray()));
      } finally {
        windows.free();
      }
    }
    for (String other : affected) {
      JdbcLedger.recount(connection, pipeline.name(), other, Jdbc.queryLong(connection, sql.rowsOfWindow(), other));
    }
    long targetRows = Jdbc.queryLong(connection, sql.rowsOfWindow(), window());
    return complete(completion, new WindowCounts(completion.read(), completion.discarded(), deadLettered(completion), staged - sourceRows, sourceRows - rows,
        inserted, updated, rows - inserted - updated - deleted, 0, deleted, 0, targetRows));
  }

  /**
   * Replace_window with a key as one statement (see {@link StrategySql#replaceWindowInOneStatement}).
   * A NULL key, or a key another window holds, fails the window after the statement, which
   * writes no such row; the rollback discards the rest.
   */
  private WindowCounts replaceWindowInOneStatement(String source, long sourceRows, Completion completion) throws SQLException {
    String replace = sql.replaceWindowInOneStatement(source);
    long rows;
    long inserted;
    long updated;
    long replaced;
    try (PreparedStatement ps = bound(replace); ResultSet rs = ps.executeQuery()) {
      rs.next();
      rows = rs.getLong(1);
      long nullKeys = rs.getLong(2);
      if (nullKeys > 0) {
        throw nullKeys(nullKeys);
      }
      inserted = rs.getLong(3);
      updated = rs.getLong(4);
      replaced = rs.getLong(5);
      String holder = rs.getString(6);
      if (holder != null) {
        Array key = rs.getArray(7);
        try {
          throw keyOfOtherWindow(List.of((String[]) key.getArray()), holder);
        } finally {
          key.free();
        }
      }
    }
    long targetRows = Jdbc.queryLong(connection, sql.rowsOfWindow(), window());
    return complete(completion, new WindowCounts(completion.read(), completion.discarded(), deadLettered(completion), staged - sourceRows, sourceRows - rows,
        inserted, updated, rows - inserted - updated, 0, 0, replaced, targetRows));
  }

  /** A statement with every {@code ?} bound to the window id. */
  private PreparedStatement bound(String statement) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(statement);
    try {
      for (int i = 1, n = Jdbc.placeholders(statement); i <= n; i++) {
        ps.setString(i, window());
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  private DataException keyOfOtherWindow(List<String> key, String holder) {
    return new DataException("window " + window() + ": key " + pipeline.target().key().targetColumns() + "=" + key
        + " is already in window " + holder + "; replace_window needs every key to belong to one window");
  }

  /**
   * Records the window done under the lease, and the results of its cheap reconciliation checks,
   * in the data transaction: a committed window always has them.
   */
  private WindowCounts complete(Completion completion, WindowCounts counts) throws SQLException {
    applying = false;
    deadLetters.publish(connection, window(), destination.now(connection));
    destination.ledgerRows().complete(connection, lease, completion, counts, context.runId(), pipeline.version());
    new JdbcChecks(dialect, pipeline).afterLoad(connection, window(), completion.fingerprint(), counts, context.runId(), destination.now(connection));
    return counts;
  }

  private DataException nullKeys(long rows) {
    return new DataException("window " + window() + ": " + rows + " rows have a NULL in key " + pipeline.target().key().targetColumns() + "; a key must identify a row");
  }

  /**
   * Inserts the window's new keys. Where runners are not serialized, another runner may insert one
   * of them between our check and our insert: {@code ON CONFLICT DO NOTHING} then skips it, the
   * counts disagree, and the window is retried (it will see that row and merge onto it).
   */
  private long insertNew() throws SQLException {
    if (!sql.insertSkipsConflicts()) {
      return Jdbc.update(connection, sql.insertNew(), window());
    }
    long expected = Jdbc.queryLong(connection, sql.countNew(), null);
    long inserted = Jdbc.update(connection, sql.insertNew(), window());
    if (inserted != expected) {
      throw new TransientException("window " + window() + ": " + (expected - inserted)
          + " keys were inserted by another runner at the same moment; retrying the window", null);
    }
    return inserted;
  }

  private void checkTransformColumns() throws SQLException {
    Set<String> have = new HashSet<>();
    List<String> ordered = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement("SELECT * FROM " + SqlName.quote(StrategySql.TRANSFORMED) + " LIMIT 0");
         ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        have.add(md.getColumnLabel(i));
        ordered.add(md.getColumnLabel(i));
      }
    }
    for (String c : pipeline.target().storedColumns().names()) {
      if (!have.contains(c)) {
        throw new DataException("transform of pipeline " + pipeline.name() + " does not output column " + c + " (it outputs " + ordered + ")");
      }
    }
  }

  private void rejectKeysOfOtherWindows() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql.keyInOtherWindow())) {
      ps.setString(1, window());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          List<String> key = new ArrayList<>();
          for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
            key.add(rs.getString(i));
          }
          throw keyOfOtherWindow(key, rs.getString(1));
        }
      }
    }
  }

  private List<String> strings(String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(query)) {
      ps.setString(1, window());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  @Override
  public void commit() {
    if (!prepared) {
      throw new IllegalStateException("window " + window() + " must be prepared before commit");
    }
    try {
      connection.commit();
    } catch (SQLException e) {
      if (dialect.commitOutcomeUnknown(e)) {
        resolveUnknownCommit(transactionId, e);
        return;
      }
      throw Jdbc.translate(dialect, e, "window " + window() + ": commit");
    } finally {
      unlock();
    }
  }

  /**
   * The COMMIT was sent and the connection lost: ask the server, on a new connection, what became
   * of the transaction. In progress: ask again. Aborted: a transient failure, retried. Committed,
   * or not known (no transaction id, server unreachable): the caller resolves it from the ledger,
   * by what the transaction itself wrote (the window's row done under this attempt's token).
   *
   * <p>"Committed" is not taken alone: a transaction whose WAL never reached the disk before a
   * server crash leaves its id unused, and after the restart the server may give that id to another
   * transaction, whose commit would then answer for ours. "Aborted" and "in progress" are safe to
   * act on: a transaction that committed is durably committed under its id.
   */
  private void resolveUnknownCommit(Optional<String> txid, SQLException lost) {
    if (txid.isPresent()) {
      for (int attempt = 0; attempt < 20; attempt++) {
        try (Connection fresh = destination.connection()) {
          Optional<Boolean> committed = dialect.committed(fresh, txid.get());
          if (committed.isPresent()) {
            destination.noteUnknownCommitResolved(committed.get());
            if (committed.get()) {
              throw new CommitUnknownException("window " + window() + ": connection lost during COMMIT; transaction " + txid.get()
                  + " is reported committed, which the window's ledger row must confirm", lost);
            }
            throw new TransientException("window " + window() + ": transaction " + txid.get() + " did not commit when the connection was lost", lost);
          }
        } catch (SQLException e) {
          lost.addSuppressed(e);
        }
        try {
          Thread.sleep(100L * (attempt + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new CommitUnknownException("window " + window() + ": connection lost during COMMIT: " + Jdbc.firstLine(lost.getMessage()), lost);
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
      Jdbc.closeQuietly(stager);
      deadLetters.close();
      // Closing without commit discards the transaction, as a dead process's connection would.
      Jdbc.closeQuietly(connection);
    } finally {
      unlock();
    }
  }

  @Override
  public String toString() {
    return "write of window " + window() + " into " + table + " (" + (context == null ? "" : context.runId()) + ")";
  }
}
