package dev.idem.jdbc;

import dev.idem.check.Check;
import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.check.Reconciliation;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.jdbc.write.StrategySql;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The reconciliation checks of one pipeline on a JDBC database: gathers the facts with set-based
 * queries (rows per window by the lineage column in the same statement as the ledger rows, so both
 * come from one snapshot; duplicate keys in one scan), applies {@link Reconciliation}'s rules and
 * records the results in {@code _idem.checks}, one row per window and check, replaced each time.
 */
final class JdbcChecks {
  private static final String C = LedgerSchema.CHECKS;

  /** Longer details are cut: a detail is one line for people. */
  private static final int MAX_DETAIL = 2000;

  private final Dialect dialect;
  private final Pipeline pipeline;
  private final Target target;
  private final TableName table;
  private final StrategySql sql;

  JdbcChecks(Dialect dialect, Pipeline pipeline) {
    this.dialect = dialect;
    this.pipeline = pipeline;
    this.target = pipeline.target();
    this.table = TableName.parse(target.table());
    this.sql = new StrategySql(table, target, dialect.writes()::insertConflictClause);
  }

  /**
   * The checks of a window that just loaded, inside its data transaction (they commit with it):
   * {@code target_rows} and {@code growth} from what the write counted, and {@code duplicate_keys}
   * from the key's unique index, or from a scan when that index is missing.
   */
  List<CheckResult> afterLoad(
      Connection c,
      String windowId,
      String fingerprint,
      WindowCounts counts,
      String runId,
      Instant now)
      throws SQLException {
    List<CheckResult> results = new ArrayList<>();
    // the window's recorded checks, read once: the growth check compares with its own, and each
    // result then takes one statement, an UPDATE of a recorded check or an INSERT of a new one
    List<CheckResult> recorded = read(c, pipeline.name(), Optional.of(windowId), Optional.empty());
    Set<Check> known = EnumSet.noneOf(Check.class);
    recorded.forEach(r -> known.add(r.check()));
    results.add(
        Reconciliation.targetRows(
            windowId, target.strategy(), fingerprint, counts, counts.targetRows()));
    results.add(
        Reconciliation.growth(
            windowId,
            recorded.stream().filter(r -> r.check() == Check.GROWTH).findFirst(),
            fingerprint,
            counts.targetRows(),
            counts.targetRows()));
    if (target.key() != null) {
      TargetTable t = new TargetTable(dialect, table, target);
      String index = t.keyIndex();
      results.add(
          t.indexes(c).contains(index)
              ? Reconciliation.uniqueIndex(table.toString(), target.key().targetColumns(), index)
              : scanKeys(c));
    }
    return record(c, results, runId, now, windowId, known);
  }

  /**
   * Every check of the pipeline's windows in the ledger ({@code selected} ones, or all), recorded.
   * A window whose live lease another runner holds is returned as a warning, not recorded.
   */
  /**
   * Whether a lease holder is alive, asked on the checks' connection (see {@link
   * JdbcDestination#leaseHolderAlive}).
   */
  interface Liveness {
    boolean alive(Connection c, String owner) throws SQLException;
  }

  /**
   * Runs the checks; a window running under a live runner's unexpired lease is being loaded and is
   * not checked, one whose runner is gone is checked as it stands.
   */
  List<CheckResult> run(
      Connection c, Optional<Set<String>> selected, String runId, Instant now, Liveness liveness)
      throws SQLException {
    Computed computed = facts(c, selected, runId, now, liveness);
    List<CheckResult> all = new ArrayList<>(record(c, computed.results(), runId, now));
    all.addAll(computed.warnings());
    all.sort(CheckResult.ORDER);
    return all;
  }

  /**
   * The checks of {@link #run}, recording nothing (a read-only spot-check), with {@code null_keys}
   * besides.
   */
  List<CheckResult> compute(
      Connection c, Optional<Set<String>> selected, String runId, Instant now, Liveness liveness)
      throws SQLException {
    Computed computed = facts(c, selected, runId, now, liveness);
    List<CheckResult> all = new ArrayList<>(computed.results());
    all.addAll(computed.warnings());
    if (target.key() != null && !new TargetTable(dialect, table, target).columns(c).isEmpty()) {
      all.add(scanNullKeys(c));
    }
    all.sort(CheckResult.ORDER);
    return all;
  }

  /** Results to record, and warnings about windows being loaded (never recorded). */
  private record Computed(List<CheckResult> results, List<CheckResult> warnings) {}

  private Computed facts(
      Connection c, Optional<Set<String>> selected, String runId, Instant now, Liveness liveness)
      throws SQLException {
    TargetTable t = new TargetTable(dialect, table, target);
    boolean exists = !t.columns(c).isEmpty();
    List<CheckResult> results = new ArrayList<>();
    List<CheckResult> warnings = new ArrayList<>();
    String query =
        "SELECT "
            + JdbcLedger.COLUMNS
            + ", "
            + (exists ? "coalesce(n." + SqlName.quote("_idem_n") + ", 0)" : "0")
            + " AS "
            + SqlName.quote("_idem_actual")
            + " FROM "
            + LedgerSchema.WINDOWS
            + (exists
                ? " LEFT JOIN ("
                    + sql.rowsPerWindow()
                    + ") AS n ON n."
                    + SqlName.quote("_idem_w")
                    + " = window_id"
                : "")
            + " WHERE pipeline = ? ORDER BY window_id";
    List<WindowState> states = new ArrayList<>();
    List<Long> actual = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setString(1, pipeline.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          WindowState s = JdbcLedger.row(rs);
          if (selected.isEmpty() || selected.get().contains(s.windowId())) {
            states.add(s);
            actual.add(rs.getLong("_idem_actual"));
          }
        }
      }
    }
    Map<String, CheckResult> growth = new HashMap<>();
    read(c, pipeline.name(), Optional.empty(), Optional.of(Check.GROWTH))
        .forEach(r -> growth.put(r.windowId(), r));
    for (int i = 0; i < states.size(); i++) {
      WindowState s = states.get(i);
      String w = s.windowId();
      if (s.status() == WindowStatus.RUNNING && !s.stale(now) && liveness.alive(c, s.owner())) {
        warnings.add(
            CheckResult.of(
                    w,
                    Check.TARGET_ROWS,
                    CheckStatus.WARN,
                    "being loaded by " + s.owner() + ": not checked")
                .recorded(runId, now));
        continue;
      }
      long rows = actual.get(i);
      results.add(
          s.status() == WindowStatus.FAILED
              ? Reconciliation.targetRowsOfFailed(w, s.counts(), rows)
              : Reconciliation.targetRows(w, target.strategy(), s.fingerprint(), s.counts(), rows));
      results.add(
          Reconciliation.growth(
              w,
              Optional.ofNullable(growth.get(w)),
              s.fingerprint(),
              rows,
              s.counts().targetRows()));
    }
    if (exists && target.key() != null && !states.isEmpty()) {
      results.add(scanKeys(c));
    }
    return new Computed(results, warnings);
  }

  /** Scans the whole target for rows with a null in a key column (spot-checks only). */
  private CheckResult scanNullKeys(Connection c) throws SQLException {
    List<String> key = target.key().targetColumns();
    String query =
        "SELECT count(*), CAST(min("
            + SqlName.quote(StrategySql.WINDOW_COLUMN)
            + ") AS VARCHAR) FROM "
            + table.sql()
            + " WHERE "
            + String.join(" OR ", key.stream().map(k -> SqlName.quote(k) + " IS NULL").toList());
    try (PreparedStatement ps = c.prepareStatement(query);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return Reconciliation.nullKeys(table.toString(), key, rs.getLong(1), rs.getString(2));
    }
  }

  /** Scans the whole target for keys held by more than one row. */
  private CheckResult scanKeys(Connection c) throws SQLException {
    List<String> key = target.key().targetColumns();
    try (PreparedStatement ps = c.prepareStatement(sql.duplicateKeys());
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Reconciliation.noDuplicateKeys(table.toString(), key);
      }
      List<String> sample = new ArrayList<>();
      for (int i = 0; i < key.size(); i++) {
        sample.add(rs.getString(6 + i));
      }
      return Reconciliation.duplicateKeys(
          table.toString(),
          key,
          rs.getLong(1),
          rs.getLong(2),
          sample,
          rs.getLong(3),
          rs.getString(4),
          rs.getString(5));
    }
  }

  /**
   * Replaces each result's row (an UPDATE, then an INSERT when there was none: no key is deleted
   * and inserted again).
   */
  private List<CheckResult> record(
      Connection c, List<CheckResult> results, String runId, Instant now) throws SQLException {
    return record(c, results, runId, now, null, Set.of());
  }

  /**
   * Records {@code results}. A result of window {@code readWindow} whose check is not among {@code
   * known} (the checks recorded for that window, read in this transaction) is inserted without
   * first trying to update it; any other (a table-wide check's row, {@code *}) is updated, else
   * inserted.
   */
  private List<CheckResult> record(
      Connection c,
      List<CheckResult> results,
      String runId,
      Instant now,
      String readWindow,
      Set<Check> known)
      throws SQLException {
    List<CheckResult> recorded = new ArrayList<>();
    Instant at = now.truncatedTo(ChronoUnit.MICROS); // as the databases store it
    try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE "
                    + C
                    + " SET status = ?, detail = ?, run_id = ?, checked_at = ?"
                    + " WHERE pipeline = ? AND window_id = ? AND check_name = ?");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO "
                    + C
                    + " (status, detail, run_id, checked_at, pipeline, window_id, check_name) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (CheckResult r : results) {
        String detail =
            r.detail().length() > MAX_DETAIL ? r.detail().substring(0, MAX_DETAIL) : r.detail();
        CheckResult done = new CheckResult(r.windowId(), r.check(), r.status(), detail, runId, at);
        boolean updated = false;
        if (!Objects.equals(r.windowId(), readWindow) || known.contains(r.check())) {
          bind(update, done);
          updated = update.executeUpdate() > 0;
        }
        if (!updated) {
          bind(insert, done);
          insert.executeUpdate();
        }
        recorded.add(done);
      }
    }
    return recorded;
  }

  private void bind(PreparedStatement ps, CheckResult r) throws SQLException {
    ps.setString(1, r.status().name());
    ps.setString(2, r.detail());
    ps.setString(3, r.runId());
    ps.setObject(4, JdbcLedger.utc(r.checkedAt()));
    ps.setString(5, pipeline.name());
    ps.setString(6, r.windowId());
    ps.setString(7, r.check().label());
  }

  /**
   * Recorded results of a pipeline (of one window and check, when given), in {@link
   * CheckResult#ORDER}; unknown check names are left out.
   */
  static List<CheckResult> read(
      Connection c, String pipeline, Optional<String> windowId, Optional<Check> check)
      throws SQLException {
    List<CheckResult> results = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT window_id, check_name, status, detail, run_id, checked_at FROM "
                + C
                + " WHERE pipeline = ?"
                + (windowId.isPresent() ? " AND window_id = ?" : "")
                + (check.isPresent() ? " AND check_name = ?" : ""))) {
      int i = 1;
      ps.setString(i++, pipeline);
      if (windowId.isPresent()) {
        ps.setString(i++, windowId.get());
      }
      if (check.isPresent()) {
        ps.setString(i, check.get().label());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Optional<Check> name = Check.of(rs.getString("check_name"));
          Optional<CheckStatus> status = status(rs.getString("status"));
          if (name.isPresent() && status.isPresent()) {
            LocalDateTime at = rs.getObject("checked_at", LocalDateTime.class);
            results.add(
                new CheckResult(
                    rs.getString("window_id"),
                    name.get(),
                    status.get(),
                    String.valueOf(rs.getString("detail")),
                    rs.getString("run_id"),
                    at == null ? null : at.toInstant(ZoneOffset.UTC)));
          }
        }
      }
    }
    results.sort(CheckResult.ORDER);
    return results;
  }

  private static Optional<CheckStatus> status(String name) {
    for (CheckStatus s : CheckStatus.values()) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Forgets the pipeline's results (its table was dropped). */
  static void delete(Connection c, String pipeline) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + C + " WHERE pipeline = ?")) {
      ps.setString(1, pipeline);
      ps.executeUpdate();
    }
  }
}
