package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.destination.Destination;
import dev.idem.fault.FaultInjector;
import dev.idem.key.KeySpec;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The idempotency contract every destination must pass (as Flink's SinkTestSuiteBase): run twice =
 * run once; a crash at every fault point then a retry = a clean run; overlapping ranges; a changed
 * window is rewritten and the others skipped; concurrent runners load each window once; a zombie
 * runner cannot commit. States are compared by full table content, never by counts alone.
 *
 * <p>Subclasses give a fresh, empty destination per call and read a table's rows. A destination
 * that cannot do part of the contract says so explicitly, with its reason: the strategies it
 * refuses ({@link #refusedStrategies()}, checked to be refused when the run is planned) and the
 * {@link Limit}s it has ({@link #limits()}). A case that needs what the destination declares it
 * cannot do is skipped with that reason (a JUnit assumption, reported as skipped, never as passed);
 * where the destination refuses instead, the refusal and the untouched target are checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DestinationContractSuite extends TombstoneContract {
  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void runTwiceEqualsRunOnce(WriteStrategy strategy) {
    assumeStrategy(strategy);
    Pipeline p = pipeline(orders(), strategy);
    Destination d = fresh();
    RunReport first = run(d, p, all(p));
    assertThat(first.count(Result.LOADED)).isEqualTo(all(p).size());
    assertBalanced(first);
    List<String> once = rows(d, "orders");
    assertThat(once).isNotEmpty();

    RunReport second = run(d, p, all(p));
    assertThat(second.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.UNCHANGED);
    assertThat(rows(d, "orders")).isEqualTo(once);

    RunReport forced =
        run(d, p, all(p), RunOptions.defaults("forced").forced(), FaultInjector.NONE, "p1");
    if (can(Limit.RELOADS_A_DONE_WINDOW)) {
      assertThat(forced.count(Result.LOADED)).isEqualTo(all(p).size());
      assertBalanced(forced);
    } else {
      // refused, window by window, and the target is as the first run left it
      assertThat(forced.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(Result.FAILED)
          .hasSize(all(p).size());
      assertThat(d.ledger().states("orders"))
          .extracting(WindowState::status)
          .containsOnly(WindowStatus.DONE);
    }
    assertThat(rows(d, "orders")).isEqualTo(once);
  }

  /**
   * The strategies a destination declares it refuses are refused when the run is planned, with a
   * reason; the others are taken.
   */
  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void aStrategyIsRefusedWhenTheRunIsPlannedExactlyWhenDeclared(WriteStrategy strategy) {
    Pipeline p = pipeline(orders(), strategy);
    try (Destination d = newDestination(services("p1"))) {
      if (refusedStrategies().containsKey(strategy)) {
        assertThatThrownBy(() -> Runner.checkCapabilities(p, d))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(strategy.label())
            .hasMessageContaining("support");
      } else {
        Runner.checkCapabilities(p, d);
      }
    }
  }

  @Test
  void mergeKeepsOneRowPerKeyWithTheLatestVersion() {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = pipeline(orders(), WriteStrategy.MERGE);
    Destination d = fresh();
    run(d, p, all(p));
    List<String> rows = rows(d, "orders");
    assertThat(rows).hasSize(8);
    assertThat(rows)
        .anySatisfy(
            r ->
                assertThat(r)
                    .contains("order_id=1")
                    .contains("amount=12.50")
                    .contains("_idem_window=2024-03-03"));
    assertThat(rows).anySatisfy(r -> assertThat(r).contains("order_id=8").contains("amount=8.80"));
    assertThat(rows)
        .anySatisfy(r -> assertThat(r).contains("order_id=3").contains("_idem_window=2024-03-04"));
  }

  @Test
  void overlappingRangesEqualOneCleanRun() {
    Pipeline p = pipeline(orders(), general());
    List<String> clean = cleanRun(p);
    Destination d = fresh();
    run(d, p, p.windows().range("2024-03-03", "2024-03-05"));
    RunReport wide = run(d, p, p.windows().range("2024-03-01", "2024-03-05"));
    assertThat(wide.ok()).isTrue();
    assertThat(rows(d, "orders")).isEqualTo(clean);
  }

  @Test
  void windowsRunInReverseOrderEqualOneCleanRun() {
    Pipeline p = pipeline(orders(), general());
    List<String> clean = cleanRun(p);
    Destination d = fresh();
    List<Window> windows = new ArrayList<>(all(p));
    Collections.reverse(windows);
    for (Window w : windows) {
      run(d, p, List.of(w));
    }
    assertThat(rows(d, "orders")).isEqualTo(clean);
  }

  @Test
  void forcingAnOlderWindowDoesNotOverwriteANewerVersion() {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = pipeline(orders(), WriteStrategy.MERGE);
    Destination d = fresh();
    run(d, p, all(p));
    List<String> before = rows(d, "orders");
    RunReport forced =
        run(
            d,
            p,
            List.of(p.windows().window("2024-03-01")),
            RunOptions.defaults("force").forced(),
            FaultInjector.NONE,
            "p1");
    assertThat(forced.outcomes().get(0).result()).isEqualTo(Result.LOADED);
    assertThat(forced.outcomes().get(0).counts().updated()).isZero();
    assertThat(rows(d, "orders"))
        .isEqualTo(before)
        .anySatisfy(r -> assertThat(r).contains("order_id=1").contains("amount=12.50"));
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"MERGE", "REPLACE_WINDOW"})
  void aChangedWindowIsRewrittenAndTheOthersSkipped(WriteStrategy strategy) {
    assumeStrategy(strategy);
    assumeCan(Limit.RELOADS_A_DONE_WINDOW);
    ListSource source = orders();
    Pipeline p = pipeline(source, strategy);
    Destination d = fresh();
    run(d, p, all(p));

    List<Object[]> changed = new ArrayList<>();
    for (Object[] r : source.records()) {
      if (((LocalDateTime) r[3]).toLocalDate().toString().equals("2024-03-02")) {
        if ((Long) r[0] == 4L) {
          r[2] = new BigDecimal("4.00");
        } else {
          continue; // order 5 removed from the input
        }
      }
      changed.add(r);
    }
    source.replaceAll(changed);
    RunReport rerun = run(d, p, all(p));
    assertThat(rerun.outcomes())
        .filteredOn(o -> o.window().id().equals("2024-03-02"))
        .extracting(WindowOutcome::result)
        .containsExactly(Result.LOADED);
    assertThat(rerun.outcomes())
        .filteredOn(o -> !o.window().id().equals("2024-03-02"))
        .extracting(WindowOutcome::result)
        .containsOnly(Result.UNCHANGED);
    List<String> expected =
        cleanRun(pipeline(new ListSource(ORDERS).replaceAll(changed), strategy));
    if (strategy == WriteStrategy.REPLACE_WINDOW) {
      assertThat(rows(d, "orders")).isEqualTo(expected);
    } else {
      // merge never deletes a key that stopped arriving (use a delete flag for that): order 5 stays
      assertThat(rows(d, "orders"))
          .containsAll(expected)
          .anySatisfy(r -> assertThat(r).contains("order_id=4").contains("amount=4.00"));
    }
  }

  @Test
  void aWindowWhoseRowsVanishedFromTheTargetIsReloaded() {
    assumeCan(Limit.COUNTS_THE_TARGET_BY_WINDOW);
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    run(d, p, all(p));
    List<String> once = rows(d, "orders");
    deleteRowsOf(d, "orders", "2024-03-02");
    RunReport rerun = run(d, p, all(p));
    assertThat(rerun.outcomes())
        .filteredOn(o -> o.window().id().equals("2024-03-02"))
        .extracting(WindowOutcome::result)
        .containsExactly(Result.LOADED);
    assertThat(rows(d, "orders")).isEqualTo(once);
  }

  @Test
  void replaceWindowWithAKeyRewritesOnlyTheDifferenceAndRefusesAKeyOfAnotherWindow() {
    assumeStrategy(WriteStrategy.REPLACE_WINDOW);
    ListSource source = new ListSource(ORDERS);
    source.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"));
    source.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    source.add(
        2L,
        "bob",
        new BigDecimal("20.75"),
        at("2024-03-01T09:00:00")); // same order value: the greater amount wins
    source.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-01T10:00:00"));
    source.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00"));
    Pipeline p =
        Pipeline.builder("orders")
            .version("1")
            .source(source)
            .table("orders")
            .strategy(WriteStrategy.REPLACE_WINDOW)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .key(KeySpec.columns("order_id"))
            .build();
    Destination d = fresh();
    RunReport first = run(d, p, all(p));
    assertBalanced(first);
    assertThat(rows(d, "orders"))
        .hasSize(4)
        .anySatisfy(r -> assertThat(r).startsWith("order_id=2|").contains("amount=20.75"));

    List<Object[]> changed = new ArrayList<>();
    changed.add(
        new Object[] {1L, "ada", new BigDecimal("11.00"), at("2024-03-01T08:00:00")}); // updated
    changed.add(
        new Object[] {2L, "bob", new BigDecimal("20.75"), at("2024-03-01T09:00:00")}); // unchanged
    changed.add(
        new Object[] {
          5L, "eve", new BigDecimal("5.00"), at("2024-03-01T11:00:00")
        }); // new; order 3 is gone
    changed.add(new Object[] {4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00")});
    source.replaceAll(changed);
    RunReport second = run(d, p, all(p));
    assertBalanced(second);
    WindowOutcome day1 = second.outcomes().get(0);
    assertThat(day1.result()).isEqualTo(Result.LOADED);
    assertThat(
            List.of(
                day1.counts().inserted(),
                day1.counts().updated(),
                day1.counts().unchanged(),
                day1.counts().replaced()))
        .containsExactly(1L, 1L, 1L, 1L);
    assertThat(second.outcomes().get(1).result()).isEqualTo(Result.UNCHANGED);
    assertThat(rows(d, "orders"))
        .isEqualTo(
            cleanRun(
                Pipeline.builder("orders")
                    .version("1")
                    .source(new ListSource(ORDERS).replaceAll(changed))
                    .table("orders")
                    .strategy(WriteStrategy.REPLACE_WINDOW)
                    .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
                    .key(KeySpec.columns("order_id"))
                    .build()));

    List<String> before = rows(d, "orders");
    List<Object[]> moved = new ArrayList<>(changed);
    moved.add(
        new Object[] {
          1L, "ada", new BigDecimal("11.00"), at("2024-03-02T09:00:00")
        }); // order 1 also on day 2
    source.replaceAll(moved);
    RunReport third = run(d, p, List.of(p.windows().window("2024-03-02")));
    assertThat(third.outcomes().get(0).result()).isEqualTo(Result.FAILED);
    assertThat(third.outcomes().get(0).message())
        .contains("2024-03-02")
        .contains("[order_id]=[1]")
        .contains("is already in window 2024-03-01");
    assertThat(rows(d, "orders")).isEqualTo(before);
  }

  @Test
  void aDeleteFlagRemovesAKeyOnlyWithANewerVersionAndTheOwnersRecordedCountFollows() {
    assumeStrategy(WriteStrategy.MERGE);
    keepsDeletes(fresh());
    Schema flagged =
        Schema.of(
            ORDERS.column(0),
            ORDERS.column(1),
            ORDERS.column(2),
            ORDERS.column(3),
            Column.of("gone", DataType.BOOLEAN));
    ListSource source = new ListSource(flagged);
    source.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"), false);
    source.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"), null);
    source.add(
        4L,
        "dee",
        new BigDecimal("3.00"),
        at("2024-03-01T10:00:00"),
        true); // nothing to delete yet
    source.add(
        1L,
        "ada",
        new BigDecimal("10.00"),
        at("2024-03-02T08:00:00"),
        true); // newer: deletes order 1 of 2024-03-01
    source.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T09:00:00"), false);
    source.add(
        9L,
        "zed",
        new BigDecimal("1.00"),
        at("2024-03-02T10:00:00"),
        true); // never loaded: nothing
    Pipeline p =
        Pipeline.builder("orders")
            .version("1")
            .source(source)
            .table("orders")
            .strategy(WriteStrategy.MERGE)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .key(KeySpec.columns("order_id"))
            .orderBy("ingested_at")
            .deleteFlag("gone")
            .build();
    Destination d = fresh();
    RunReport first = run(d, p, all(p));
    assertBalanced(first);
    assertThat(first.outcomes()).extracting(o -> o.counts().deleted()).containsExactly(0L, 1L);
    assertThat(first.outcomes()).extracting(o -> o.counts().inserted()).containsExactly(2L, 1L);
    List<String> rows = rows(d, "orders");
    assertThat(rows)
        .hasSize(2)
        .noneSatisfy(r -> assertThat(r).startsWith("order_id=1|"))
        .anySatisfy(r -> assertThat(r).contains("order_id=2").contains("_idem_window=2024-03-01"))
        .anySatisfy(r -> assertThat(r).contains("order_id=4").contains("_idem_window=2024-03-02"));
    // 2024-03-01 now holds one row, and its ledger row says so: an unforced re-run skips both
    // windows
    assertThat(run(d, p, all(p)).outcomes())
        .extracting(WindowOutcome::result)
        .containsOnly(Result.UNCHANGED);

    RunReport forced =
        run(
            d,
            p,
            List.of(p.windows().window("2024-03-02")),
            RunOptions.defaults("force").forced(),
            FaultInjector.NONE,
            "p1");
    assertBalanced(forced);
    assertThat(forced.outcomes().get(0).counts())
        .satisfies(
            c -> {
              assertThat(c.inserted()).isZero();
              assertThat(c.updated()).isZero();
              assertThat(c.deleted()).isZero();
            });
    assertThat(rows(d, "orders")).isEqualTo(rows);
  }

  @Test
  void aBadWindowFailsAloneAndLeavesNoPartialRows() {
    ListSource source = orders();
    source.add(null, "nobody", BigDecimal.ONE, at("2024-03-02T10:00:00"));
    Pipeline p = pipeline(source, general());
    Destination d = fresh();
    RunReport r = run(d, p, all(p));
    assertThat(r.partlyFailed()).isTrue();
    WindowOutcome bad =
        r.outcomes().stream()
            .filter(o -> o.window().id().equals("2024-03-02"))
            .findFirst()
            .orElseThrow();
    assertThat(bad.result()).isEqualTo(Result.FAILED);
    assertThat(bad.message()).contains("2024-03-02").contains("NULL").contains("order_id");
    assertThat(rows(d, "orders"))
        .noneSatisfy(row -> assertThat(row).contains("_idem_window=2024-03-02"));
    assertThat(d.ledger().state("orders", "2024-03-02"))
        .get()
        .extracting(WindowState::status)
        .isEqualTo(WindowStatus.FAILED);
  }
}
