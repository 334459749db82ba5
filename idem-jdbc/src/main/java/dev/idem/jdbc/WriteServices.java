package dev.idem.jdbc;

import dev.idem.jdbc.dialect.Dialect;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DriftPolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a window's write needs from its destination, handed over when it begins: the dialect, the
 * ledger it completes, the clock leases are judged by, the process's write lock (null where the
 * database's own locks suffice), how its COMMIT is resolved, and the target rules read by earlier
 * windows of the run ({@link #rules}).
 */
record WriteServices(
    Dialect dialect,
    JdbcLedger ledger,
    Clock clock,
    ReentrantLock writeLock,
    CommitResolution commits,
    Map<Pipeline, TargetRules> readRules) {
  WriteServices(
      Dialect dialect,
      JdbcLedger ledger,
      Clock clock,
      ReentrantLock writeLock,
      CommitResolution commits) {
    this(dialect, ledger, clock, writeLock, commits, new ConcurrentHashMap<>());
  }

  /**
   * The target's rules for a window of {@code pipeline} ({@link TargetRules#read}). On a
   * single-process database (DuckDB, whose file this process holds alone) they are read once per
   * run and pipeline, not once per window: nothing else can alter the table while the run holds the
   * file, and {@link #forgetRules} drops them when a run begins ({@code prepare}). With {@code
   * schema_drift: evolve} the run itself alters the table, so they are read for every window.
   */
  TargetRules rules(Connection c, TableName table, Pipeline pipeline) throws SQLException {
    if (!dialect.singleProcess() || pipeline.schemaDrift() == DriftPolicy.EVOLVE) {
      return TargetRules.read(c, dialect, table, pipeline);
    }
    TargetRules known = readRules.get(pipeline);
    if (known != null) {
      return known;
    }
    TargetRules read = TargetRules.read(c, dialect, table, pipeline);
    readRules.put(pipeline, read);
    return read;
  }

  /** Forgets the rules read for {@code pipeline}'s table (a run of it begins). */
  void forgetRules(Pipeline pipeline) {
    String table = pipeline.target().table();
    readRules.keySet().removeIf(p -> p.target().table().equals(table));
  }

  /**
   * The time leases are judged by: the database's clock for a server database, else the runner's.
   */
  Instant now(Connection c) throws SQLException {
    return dialect.now(c, clock);
  }
}
