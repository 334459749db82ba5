package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.check.Check;
import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Presence;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reconciliation checks on a real database: a clean load passes every check, and each way of
 * writing behind idem's back (a second row for a key, rows added to a window's slice, rows deleted)
 * fails the check that names it. Subclasses say how to get a fresh database.
 */
public abstract class JdbcChecksSuite {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("ingested_at", DataType.TIMESTAMP));
  private static final List<String> DAYS = List.of("2024-03-01", "2024-03-02", "2024-03-03");

  /** A new, empty database. */
  protected abstract JdbcDestination newDestination();

  /**
   * Three days of 10 orders each; days 2 and 3 each re-send 3 orders of the day before (merge moves
   * them).
   */
  private static ListSource threeDays() {
    ListSource s = new ListSource(ORDERS);
    for (int day = 1; day <= 3; day++) {
      for (int i = 0; i < 10; i++) {
        s.add((long) (day * 7 + i), "c" + day + "-" + i, LocalDateTime.of(2024, 3, day, 8, i));
      }
    }
    return s;
  }

  private static Pipeline pipeline(ListSource source, WriteStrategy strategy) {
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .key(KeySpec.columns("order_id"))
        .orderBy("ingested_at")
        .strategy(strategy)
        .build();
  }

  private static RunReport run(JdbcDestination d, Pipeline p, String runId) {
    return new Runner(d, RunServices.defaults())
        .run(p, DAYS.stream().map(p.windows()::window).toList(), RunOptions.defaults(runId));
  }

  private static Map<String, CheckResult> byWindowAndCheck(List<CheckResult> results) {
    return results.stream()
        .collect(Collectors.toMap(r -> r.windowId() + " " + r.check().label(), r -> r));
  }

  private static String keyIndex(JdbcDestination d, Pipeline p) {
    return new TargetTable(d.dialect(), TableName.parse("orders"), p.target()).keyIndex();
  }

  @Test
  void aCleanLoadPassesEveryCheckRecordedAtCommitAndOnDemand() {
    Pipeline p = pipeline(threeDays(), WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      assertThat(run(d, p, "load").ok()).isTrue();
      // recorded inside each window's transaction, without an explicit check
      List<CheckResult> atCommit = d.checks("orders");
      assertThat(atCommit)
          .extracting(r -> r.windowId() + " " + r.check().label() + " " + r.status())
          .containsExactly(
              "2024-03-01 target_rows PASS",
              "2024-03-01 growth PASS",
              "2024-03-02 target_rows PASS",
              "2024-03-02 growth PASS",
              "2024-03-03 target_rows PASS",
              "2024-03-03 growth PASS",
              "* duplicate_keys PASS");
      assertThat(atCommit).allSatisfy(r -> assertThat(r.runId()).isEqualTo("load"));
      assertThat(atCommit.get(atCommit.size() - 1).detail())
          .isEqualTo(
              "the unique index "
                  + keyIndex(d, p)
                  + " on [order_id] keeps the keys of orders unique");

      List<CheckResult> checked = d.check(p, Optional.empty(), "check-1");
      assertThat(checked)
          .hasSize(7)
          .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(CheckStatus.PASS));
      Map<String, CheckResult> r = byWindowAndCheck(checked);
      // day 1 lost 3 keys to day 2: merge keeps at most what its load kept
      assertThat(r.get("2024-03-01 target_rows").detail())
          .isEqualTo(
              "7 rows as the ledger recorded;"
                  + " merge keeps at most the 10 rows of its last load (inserted + updated + unchanged; later windows may take keys over)");
      assertThat(r.get("2024-03-01 growth").detail())
          .matches("7 rows for input rows:10:[0-9a-f]{8}, as before");
      assertThat(r.get("2024-03-03 target_rows").detail())
          .startsWith("10 rows as the ledger recorded;");
      assertThat(r.get("* duplicate_keys").detail())
          .isEqualTo("no key [order_id] appears twice in orders");
      assertThat(d.checks("orders")).isEqualTo(checked);

      assertThat(run(d, p, "again").outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.UNCHANGED);
      assertThat(d.check(p, Optional.empty(), "check-2"))
          .allSatisfy(c -> assertThat(c.status()).isEqualTo(CheckStatus.PASS));
    }
  }

  /**
   * A forced reload that fails records its own counts; the rows of the load before it stay, and
   * pass the check.
   */
  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"MERGE", "REPLACE_WINDOW"})
  void aWindowWhoseReloadFailedPassesAgainstTheRowsItsLastLoadLeft(WriteStrategy strategy) {
    // replace_window refuses a key another window holds: each day its own orders there
    ListSource source = new ListSource(ORDERS);
    for (int day = 1; day <= 3; day++) {
      for (int i = 0; i < 10; i++) {
        source.add(
            (long) ((strategy == WriteStrategy.MERGE ? 7 : 100) * day + i),
            "c" + day + "-" + i,
            LocalDateTime.of(2024, 3, day, 8, i));
      }
    }
    Pipeline p = pipeline(source, strategy);
    try (JdbcDestination d = newDestination()) {
      assertThat(run(d, p, "load").ok()).isTrue();
      source.addBad(
          LocalDateTime.of(2024, 3, 2, 9, 0),
          "99,x,notatime",
          "column ingested_at: 'notatime' is not a timestamp");
      RunReport reload =
          new Runner(d, RunServices.defaults())
              .run(
                  p,
                  List.of(p.windows().window("2024-03-02")),
                  RunOptions.defaults("reload").forced());
      assertThat(reload.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(WindowOutcome.Result.FAILED);
      Map<String, CheckResult> r =
          byWindowAndCheck(d.check(p, Optional.empty(), "check-after-failure"));
      assertThat(r.get("2024-03-02 target_rows").status())
          .as(r.get("2024-03-02 target_rows").detail())
          .isEqualTo(CheckStatus.PASS);
      assertThat(r.get("2024-03-02 target_rows").detail())
          .endsWith("as the ledger recorded before the last load, which failed and wrote nothing");
      assertThat(r.values())
          .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isNotEqualTo(CheckStatus.FAIL));
    }
  }

  @Test
  void aKeyWrittenAgainByAnotherToolFailsDuplicateKeysNamingTheKey() {
    Pipeline p = pipeline(threeDays(), WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      run(d, p, "load");
      TableSnapshot.execute(d, "DROP INDEX " + SqlName.quote(keyIndex(d, p)));
      // another tool re-inserts order 9 (written by day 1) under day 3's lineage, and order 25
      // twice more
      TableSnapshot.execute(
          d,
          "INSERT INTO orders (order_id, customer, ingested_at, _idem_window) VALUES (9, 'other-tool', TIMESTAMP '2024-03-03 09:00:00', '2024-03-03'),"
              + " (25, 'x', TIMESTAMP '2024-03-03 09:00:00', '2024-03-03'), (25, 'y', TIMESTAMP '2024-03-03 09:00:00', '2024-03-03')");
      Map<String, CheckResult> r = byWindowAndCheck(d.check(p, Optional.empty(), "check"));
      CheckResult dup = r.get("* duplicate_keys");
      assertThat(dup.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(dup.detail())
          .isEqualTo(
              "2 keys appear more than once in orders (3 extra rows); e.g. key [order_id]=[9]: 2 rows, windows 2024-03-01 and 2024-03-03");
      assertThat(r.get("2024-03-03 target_rows").status()).isEqualTo(CheckStatus.FAIL);
      assertThat(r.get("2024-03-01 target_rows").status()).isEqualTo(CheckStatus.PASS);
      assertThat(byWindowAndCheck(d.checks("orders")).get("* duplicate_keys").detail())
          .isEqualTo(dup.detail());
    }
  }

  @Test
  void rowsAddedToAWindowBehindIdemsBackFailTargetRowsAndGrowthUntilTheInputChanges() {
    ListSource source = threeDays();
    Pipeline p = pipeline(source, WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      run(d, p, "load");
      TableSnapshot.execute(
          d,
          "INSERT INTO orders (order_id, customer, ingested_at, _idem_window) VALUES (900, 'behind', TIMESTAMP '2024-03-02 09:00:00', '2024-03-02'),"
              + " (901, 'behind', TIMESTAMP '2024-03-02 09:00:00', '2024-03-02')");
      for (String id : List.of("check-1", "check-2")) {
        Map<String, CheckResult> r = byWindowAndCheck(d.check(p, Optional.empty(), id));
        assertThat(r.get("2024-03-02 target_rows").status()).isEqualTo(CheckStatus.FAIL);
        assertThat(r.get("2024-03-02 target_rows").detail())
            .startsWith(
                "9 rows in the target, the ledger recorded 7: rows were added behind idem's back");
        assertThat(r.get("2024-03-02 growth").status())
            .as(id)
            .isEqualTo(CheckStatus.FAIL); // a second check does not accept the growth
        assertThat(r.get("2024-03-02 growth").detail())
            .matches("9 rows for input rows:10:[0-9a-f]{8}, 7 before with the same input: .*");
        assertThat(r.get("2024-03-01 growth").status()).isEqualTo(CheckStatus.PASS);
        assertThat(r.get("* duplicate_keys").status()).isEqualTo(CheckStatus.PASS);
      }
      // the next run reloads day 2 (its rows differ from the ledger); merge keeps the foreign rows:
      // the load grew the window
      RunReport again = run(d, p, "again");
      assertThat(again.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-02"))
          .extracting(WindowOutcome::result)
          .containsExactly(WindowOutcome.Result.LOADED);
      Map<String, CheckResult> atCommit = byWindowAndCheck(d.checks("orders"));
      assertThat(atCommit.get("2024-03-02 growth").status()).isEqualTo(CheckStatus.FAIL);
      assertThat(atCommit.get("2024-03-02 growth").detail())
          .matches("9 rows for input rows:10:[0-9a-f]{8}, 7 before with the same input: .*");
      // its 10 input rows are all kept (3 as unchanged: day 3 holds newer versions), so 9 rows are
      // within merge's bound
      assertThat(atCommit.get("2024-03-02 target_rows").status()).isEqualTo(CheckStatus.PASS);
      assertThat(atCommit.get("2024-03-02 growth").runId()).isEqualTo("again");

      // new input for day 2 starts a new baseline: 10 rows (the 2 foreign ones among them) within
      // merge's bound of 11
      source.add(902L, "new", LocalDateTime.of(2024, 3, 2, 10, 0));
      run(d, p, "changed");
      Map<String, CheckResult> changed =
          byWindowAndCheck(d.check(p, Optional.of(Set.of("2024-03-02")), "check-3"));
      assertThat(changed.keySet())
          .containsExactlyInAnyOrder(
              "2024-03-02 target_rows", "2024-03-02 growth", "* duplicate_keys");
      assertThat(changed.get("2024-03-02 growth").status()).isEqualTo(CheckStatus.PASS);
      assertThat(changed.get("2024-03-02 growth").detail())
          .matches("10 rows for input rows:11:[0-9a-f]{8}, as before");
      assertThat(changed.get("2024-03-02 target_rows").status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void rowsDeletedBehindIdemsBackFailTargetRowsUntilTheWindowIsReloaded() {
    Pipeline p = pipeline(threeDays(), WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      run(d, p, "load");
      TableSnapshot.deleteWindow(d, "orders", "2024-03-03");
      Map<String, CheckResult> r = byWindowAndCheck(d.check(p, Optional.empty(), "check"));
      assertThat(r.get("2024-03-03 target_rows").status()).isEqualTo(CheckStatus.FAIL);
      assertThat(r.get("2024-03-03 target_rows").detail())
          .isEqualTo(
              "0 rows in the target, the ledger recorded 10: rows were deleted behind idem's back");
      assertThat(r.get("2024-03-03 growth").status()).isEqualTo(CheckStatus.PASS);
      run(d, p, "reload");
      assertThat(d.checks("orders"))
          .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(CheckStatus.PASS));
      assertThat(d.check(p, Optional.empty(), "check-2"))
          .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(CheckStatus.PASS));
    }
  }

  @Test
  void replaceStrategiesAreCheckedExactlyAndASupersededWindowHoldsNothing() {
    ListSource source = threeDays();
    Pipeline byDay =
        Pipeline.builder("by-day")
            .source(source)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table("by_day")
            .strategy(WriteStrategy.REPLACE_WINDOW)
            .build();
    Pipeline whole =
        Pipeline.builder("whole")
            .source(source)
            .windows(WindowSpec.batch())
            .table("whole")
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.REPLACE_TABLE)
            .build();
    try (JdbcDestination d = newDestination()) {
      run(d, byDay, "load");
      List<CheckResult> days = d.check(byDay, Optional.empty(), "check");
      assertThat(days)
          .hasSize(6)
          .allSatisfy(
              c -> assertThat(c.status()).isEqualTo(CheckStatus.PASS)); // no key: no duplicate_keys
      assertThat(days.get(0).detail())
          .isEqualTo(
              "10 rows as the ledger recorded; replace_window keeps exactly the 10 rows of its last load (inserted + updated + unchanged)");
      TableSnapshot.execute(
          d,
          "INSERT INTO by_day VALUES (1, 'twice', TIMESTAMP '2024-03-01 00:00:00', '2024-03-01')");
      assertThat(
              byWindowAndCheck(d.check(byDay, Optional.empty(), "check"))
                  .get("2024-03-01 target_rows")
                  .status())
          .isEqualTo(CheckStatus.FAIL);

      Runner runner = new Runner(d, RunServices.defaults());
      runner.run(whole, List.of(Window.batch("b1")), RunOptions.defaults("b1"));
      runner.run(whole, List.of(Window.batch("b2")), RunOptions.defaults("b2"));
      Map<String, CheckResult> r = byWindowAndCheck(d.check(whole, Optional.empty(), "check"));
      assertThat(r.values())
          .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(CheckStatus.PASS));
      assertThat(r.get("b1 target_rows").detail())
          .isEqualTo(
              "0 rows as the ledger recorded; a later replace_table window superseded it: expected 0 rows");
      assertThat(r.get("b2 target_rows").detail())
          .startsWith(
              "24 rows as the ledger recorded; replace_table keeps exactly the 24 rows"); // 30
      // read, 6
      // folded
    }
  }

  @Test
  void aWindowAnotherRunnerIsLoadingIsReportedNotChecked() {
    Pipeline p = pipeline(threeDays(), WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      run(d, p, "load");
      try (Presence loading = d.ledger().enter("other-host/1")) {
        assertThat(d.ledger().claim("orders", "2024-03-09", "other-host/1", Duration.ofMinutes(10)))
            .isPresent();
        assertRunningWindowNotChecked(d.check(p, Optional.empty(), "check"), d);
      }
      // once its runner is gone, the window is checked as it stands
      assertThat(
              byWindowAndCheck(d.check(p, Optional.empty(), "check-2"))
                  .get("2024-03-09 target_rows")
                  .detail())
          .doesNotContain("being loaded");
    }
  }

  private static void assertRunningWindowNotChecked(List<CheckResult> results, JdbcDestination d) {
    CheckResult running = byWindowAndCheck(results).get("2024-03-09 target_rows");
    assertThat(running.status()).isEqualTo(CheckStatus.WARN);
    assertThat(running.detail()).isEqualTo("being loaded by other-host/1: not checked");
    assertThat(results).filteredOn(c -> c.windowId().equals("2024-03-09")).hasSize(1);
    assertThat(d.checks("orders")).noneMatch(c -> c.windowId().equals("2024-03-09"));
    assertThat(results).filteredOn(c -> c.status() == CheckStatus.FAIL).isEmpty();
  }

  @Test
  void aFullRefreshForgetsThePipelinesChecks() {
    Pipeline p = pipeline(threeDays(), WriteStrategy.MERGE);
    try (JdbcDestination d = newDestination()) {
      run(d, p, "load");
      assertThat(d.checks("orders")).isNotEmpty();
      d.dropTarget(p);
      assertThat(d.checks("orders")).isEmpty();
      assertThat(d.check(p, Optional.empty(), "check")).isEmpty();
      assertThat(Check.values()).hasSize(4);
    }
  }
}
