package dev.idem.jdbc;

import dev.idem.TransientException;
import dev.idem.destination.Completion;
import dev.idem.destination.FencedException;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.ledger.NulledValue;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowSchema;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.notify.OutboxEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ledger in table {@code _idem.windows}, one row per (pipeline, window). Claims and releases
 * are short transactions of their own; completing a window is done inside the window's data
 * transaction by {@link #complete}, whose {@code WHERE token = ?} is the fencing check.
 */
final class JdbcLedger implements Ledger {
  private static final String W = LedgerSchema.WINDOWS;
  static final String COLUMNS =
      "pipeline, window_id, status, fingerprint, definition_hash, rows_read, rows_discarded, rows_dead_lettered, rows_reshaped,"
          + " rows_folded, rows_inserted, rows_updated, rows_unchanged, rows_skipped, rows_deleted, rows_replaced, target_rows,"
          + " run_id, pipeline_version, attempts, owner, token, lease_expires, started_at, finished_at, error, source_position,"
          + " schema_fingerprint, schema_drift, columns_discarded, values_discarded, rows_rolled_back,"
          + " values_nulled";

  private final JdbcDestination destination;

  JdbcLedger(JdbcDestination destination) {
    this.destination = destination;
  }

  @Override
  public Optional<WindowState> state(String pipeline, String windowId) {
    return destination.transaction(
        "read ledger of window " + windowId, c -> read(c, pipeline, windowId));
  }

  static Optional<WindowState> read(Connection c, String pipeline, String windowId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM " + W + " WHERE pipeline = ? AND window_id = ?")) {
      ps.setString(1, pipeline);
      ps.setString(2, windowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public List<WindowState> states(String pipeline) {
    return destination.transaction(
        "read ledger of " + pipeline,
        c -> {
          List<WindowState> all = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + COLUMNS + " FROM " + W + " WHERE pipeline = ? ORDER BY window_id")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                all.add(row(rs));
              }
            }
          }
          return all;
        });
  }

  @Override
  public Presence enter(String owner) {
    return destination.enter(owner);
  }

  @Override
  public boolean alive(String owner) {
    return destination.transaction(
        "ask whether runner " + owner + " is alive", c -> destination.leaseHolderAlive(c, owner));
  }

  /**
   * Claims the window unless a live runner holds an unexpired lease on it. A holder that is gone
   * (see {@link JdbcDestination#leaseHolderAlive}) loses its lease at once, whatever its expiry.
   */
  @Override
  public Optional<Lease> claim(String pipeline, String windowId, String owner, Duration ttl) {
    if (!destination.presenceHeld(owner)) {
      // without it, other processes would take this live runner for dead and its window away
      throw new TransientException(
          "claim window " + windowId + ": runner " + owner + " could not take its presence lock",
          null);
    }
    return destination.transaction(
        "claim window " + windowId,
        c -> {
          Instant now = destination.now(c);
          Instant expires = now.plus(ttl);
          Optional<WindowState> current = read(c, pipeline, windowId);
          if (current.isEmpty()) {
            // A window forgotten by reset starts from a token no earlier lease of it can hold: the
            // claim time in microseconds, so a zombie from before the reset stays fenced out.
            long first = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO "
                        + W
                        + " (pipeline, window_id, status, attempts, owner, token, lease_expires,"
                        + " started_at) VALUES (?, ?, 'RUNNING', 1, ?, ?, ?, ?)")) {
              ps.setString(1, pipeline);
              ps.setString(2, windowId);
              ps.setString(3, owner);
              ps.setLong(4, first);
              ps.setObject(5, utc(expires));
              ps.setObject(6, utc(now));
              ps.executeUpdate();
            }
            return Optional.of(new Lease(pipeline, windowId, owner, first, expires, null));
          }
          WindowState s = current.get();
          if (s.status() == WindowStatus.RUNNING
              && !s.stale(now)
              && !owner.equals(s.owner())
              && destination.leaseHolderAlive(c, s.owner())) {
            return Optional.empty();
          }
          long token = s.token() + 1;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + W
                      + " SET status = 'RUNNING', owner = ?, token = ?, lease_expires = ?, started_at = ?, attempts = attempts + 1, error = NULL"
                      + " WHERE pipeline = ? AND window_id = ? AND token = ?")) {
            ps.setString(1, owner);
            ps.setLong(2, token);
            ps.setObject(3, utc(expires));
            ps.setObject(4, utc(now));
            ps.setString(5, pipeline);
            ps.setString(6, windowId);
            ps.setLong(7, s.token());
            if (ps.executeUpdate() != 1) {
              throw new TransientException(
                  "claim window " + windowId + ": another runner claimed it at the same moment",
                  null);
            }
          }
          return Optional.of(new Lease(pipeline, windowId, owner, token, expires, s));
        });
  }

  @Override
  public boolean renew(Lease lease, Duration ttl) {
    return destination.transaction(
        "renew lease of window " + lease.windowId(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + W
                      + " SET lease_expires = ?"
                      + " WHERE pipeline = ? AND window_id = ? AND token = ? AND status = 'RUNNING'")) {
            ps.setObject(1, utc(destination.now(c).plus(ttl)));
            ps.setString(2, lease.pipeline());
            ps.setString(3, lease.windowId());
            ps.setLong(4, lease.token());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void release(Lease lease) {
    destination.transaction(
        "release window " + lease.windowId(),
        c -> {
          fenced(
              c,
              lease,
              "UPDATE "
                  + W
                  + " SET status = 'DONE', owner = NULL, lease_expires = NULL"
                  + " WHERE pipeline = ? AND window_id = ? AND token = ? AND status = 'RUNNING'",
              null);
          return null;
        });
  }

  /**
   * The failed attempt's counts replace the last load's, but for the target rows, which that load
   * left in place.
   */
  @Override
  public void fail(Lease lease, String error, WindowCounts n, List<DeadLetter> letters) {
    destination.transaction(
        "record failure of window " + lease.windowId() + " and its dead letters",
        c -> {
          fenced(
              c,
              lease,
              "UPDATE "
                  + W
                  + " SET status = 'FAILED', error = ?, finished_at = ?, lease_expires = NULL,"
                  + " rows_read = ?, rows_discarded = ?, rows_dead_lettered = ?, rows_reshaped = ?, rows_folded = ?, rows_inserted = ?,"
                  + " rows_updated = ?, rows_unchanged = ?, rows_skipped = ?, rows_deleted = ?, rows_replaced = ?, rows_rolled_back = ?"
                  + " WHERE pipeline = ? AND window_id = ? AND token = ?",
              error,
              n.read(),
              n.discarded(),
              n.deadLettered(),
              n.reshaped(),
              n.folded(),
              n.inserted(),
              n.updated(),
              n.unchanged(),
              n.skipped(),
              n.deleted(),
              n.replaced(),
              n.rolledBack());
          destination
              .outbox()
              .record(c, lease, OutboxEntry.Event.FAILURE, null, n, error, destination.now(c));
          if (!letters.isEmpty()) {
            Instant now = destination.now(c);
            DeadLetters.supersede(c, lease.pipeline(), lease.windowId(), lease.token(), null, now);
            // recording a failure is retried: a first record whose acknowledgement was lost is
            // replaced, not doubled
            DeadLetters.deleteAttempt(c, lease.pipeline(), lease.windowId(), lease.token());
            DeadLetters.insert(c, lease.pipeline(), lease.token(), null, now, letters);
          }
          return null;
        });
  }

  @Override
  public List<DeadLetter> deadLetters(
      String pipeline, Optional<String> windowId, boolean includeReplayed) {
    return destination.transaction(
        "read dead letters of " + pipeline,
        c -> {
          destination.ledgerForReading(c);
          return DeadLetters.list(c, pipeline, windowId, includeReplayed);
        });
  }

  @Override
  public List<NulledValue> nulledValues(String pipeline, Optional<String> windowId) {
    return destination.transaction(
        "read nulled values of " + pipeline,
        c -> {
          destination.ledgerForReading(c);
          return NulledValues.list(c, pipeline, windowId);
        });
  }

  @Override
  public List<String> windowsWithOpenDeadLetters(String pipeline) {
    return destination.transaction(
        "read dead letters of " + pipeline,
        c -> {
          destination.ledgerForReading(c);
          return DeadLetters.openWindows(c, pipeline);
        });
  }

  @Override
  public int purgeDeadLetters(String pipeline, Instant before) {
    return destination.transaction(
        "purge dead letters of " + pipeline,
        c -> {
          LedgerSchema.migrate(c);
          return DeadLetters.purge(c, pipeline, before);
        });
  }

  /**
   * Runs a fenced UPDATE whose parameters are the error and its time (when given), {@code counts},
   * then the lease's key and token.
   */
  private void fenced(Connection c, Lease lease, String sql, String error, long... counts)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (error != null) {
        ps.setString(i++, error.length() > 2000 ? error.substring(0, 2000) : error);
        ps.setObject(i++, utc(destination.now(c)));
      }
      for (long n : counts) {
        ps.setLong(i++, n);
      }
      ps.setString(i++, lease.pipeline());
      ps.setString(i++, lease.windowId());
      ps.setLong(i, lease.token());
      if (ps.executeUpdate() != 1) {
        throw new FencedException(
            "window "
                + lease.windowId()
                + ": lease token "
                + lease.token()
                + " was taken over by another runner");
      }
    }
  }

  /**
   * Marks the window done inside the data transaction; the {@code token = ?} condition is the
   * fencing check: zero rows updated means another runner took the lease over.
   */
  void complete(
      Connection c,
      Lease lease,
      Completion completion,
      WindowCounts n,
      String runId,
      String version)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + W
                + " SET status = 'DONE', fingerprint = ?, definition_hash = ?,"
                + " rows_read = ?, rows_discarded = ?, rows_dead_lettered = ?, rows_reshaped = ?,"
                + " rows_folded = ?, rows_inserted = ?, rows_updated = ?, rows_unchanged = ?,"
                + " rows_skipped = ?, rows_deleted = ?, rows_replaced = ?, target_rows = ?, run_id = ?, pipeline_version = ?,"
                + " finished_at = ?, lease_expires = NULL, error = NULL, source_position = ?,"
                + " schema_fingerprint = ?, schema_drift = ?, columns_discarded = ?, values_discarded = ?, rows_rolled_back = 0,"
                + " values_nulled = ?"
                + " WHERE pipeline = ? AND window_id = ? AND token = ? AND status = 'RUNNING'")) {
      int i = 1;
      ps.setString(i++, completion.fingerprint());
      ps.setString(i++, completion.definitionHash());
      for (long v :
          new long[] {
            n.read(),
            n.discarded(),
            n.deadLettered(),
            n.reshaped(),
            n.folded(),
            n.inserted(),
            n.updated(),
            n.unchanged(),
            n.skipped(),
            n.deleted(),
            n.replaced(),
            n.targetRows()
          }) {
        ps.setLong(i++, v);
      }
      ps.setString(i++, runId);
      ps.setString(i++, version);
      ps.setObject(i++, utc(destination.now(c)));
      ps.setString(i++, completion.sourcePosition());
      WindowSchema schema = completion.schema();
      ps.setString(i++, schema == null ? null : schema.fingerprint());
      ps.setString(i++, schema == null || schema.drift() == null ? null : cap(schema.drift()));
      ps.setLong(i++, schema == null ? 0 : schema.columnsDiscarded());
      ps.setLong(i++, schema == null ? 0 : schema.valuesDiscarded());
      ps.setLong(i++, n.valuesNulled());
      ps.setString(i++, lease.pipeline());
      ps.setString(i++, lease.windowId());
      ps.setLong(i, lease.token());
      if (ps.executeUpdate() != 1) {
        throw new FencedException(
            "window "
                + lease.windowId()
                + ": lease token "
                + lease.token()
                + " was taken over by another runner; not committing");
      }
    }
    // the notification commits with the window's rows and ledger row, or not at all
    destination
        .outbox()
        .record(
            c,
            lease,
            OutboxEntry.Event.SUCCESS,
            completion.fingerprint(),
            n,
            null,
            destination.now(c));
  }

  /**
   * Sets a window's recorded target row count (another window took rows from it, or the table was
   * replaced).
   */
  static void recount(Connection c, String pipeline, String windowId, long rows)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE " + W + " SET target_rows = ? WHERE pipeline = ? AND window_id = ?")) {
      ps.setLong(1, rows);
      ps.setString(2, pipeline);
      ps.setString(3, windowId);
      ps.executeUpdate();
    }
  }

  /**
   * Marks every other window of the pipeline as superseded (replace_table replaced the whole
   * table): it holds no rows any more and has no fingerprint, so running it again reloads it.
   */
  static void supersede(Connection c, String pipeline, String windowId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + W
                + " SET fingerprint = NULL, target_rows = 0"
                + " WHERE pipeline = ? AND window_id <> ?")) {
      ps.setString(1, pipeline);
      ps.setString(2, windowId);
      ps.executeUpdate();
    }
  }

  @Override
  public int reset(String pipeline, Optional<String> windowId) {
    return destination.transaction("reset " + pipeline, c -> deleteRows(c, pipeline, windowId));
  }

  static int deleteRows(Connection c, String pipeline, Optional<String> windowId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + W
                + " WHERE pipeline = ?"
                + (windowId.isPresent() ? " AND window_id = ?" : ""))) {
      ps.setString(1, pipeline);
      if (windowId.isPresent()) {
        ps.setString(2, windowId.get());
      }
      return ps.executeUpdate();
    }
  }

  static WindowState row(ResultSet rs) throws SQLException {
    WindowCounts counts =
        new WindowCounts(
            rs.getLong("rows_read"),
            rs.getLong("rows_discarded"),
            rs.getLong("rows_dead_lettered"),
            rs.getLong("rows_reshaped"),
            rs.getLong("rows_folded"),
            rs.getLong("rows_inserted"),
            rs.getLong("rows_updated"),
            rs.getLong("rows_unchanged"),
            rs.getLong("rows_skipped"),
            rs.getLong("rows_deleted"),
            rs.getLong("rows_replaced"),
            rs.getLong("target_rows"),
            rs.getLong("rows_rolled_back"),
            rs.getLong("values_nulled"));
    return new WindowState(
        rs.getString("pipeline"),
        rs.getString("window_id"),
        WindowStatus.valueOf(rs.getString("status")),
        rs.getString("fingerprint"),
        rs.getString("definition_hash"),
        counts,
        rs.getString("run_id"),
        rs.getString("pipeline_version"),
        rs.getInt("attempts"),
        rs.getString("owner"),
        rs.getLong("token"),
        instant(rs, "lease_expires"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getString("error"),
        schema(rs),
        rs.getString("source_position"));
  }

  /** The window's observed schema as recorded by its last load; null when none was. */
  private static WindowSchema schema(ResultSet rs) throws SQLException {
    String fingerprint = rs.getString("schema_fingerprint");
    return fingerprint == null
        ? null
        : new WindowSchema(
            fingerprint,
            rs.getString("schema_drift"),
            rs.getLong("columns_discarded"),
            rs.getLong("values_discarded"));
  }

  /**
   * A drift line is short but for pathological inputs (thousands of columns): kept like an error,
   * at 2,000 characters.
   */
  private static String cap(String text) {
    return text.length() > 2000 ? text.substring(0, 1997) + "..." : text;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  /** Ledger times are stored as UTC timestamps without zone, the same on every database. */
  static LocalDateTime utc(Instant i) {
    return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
