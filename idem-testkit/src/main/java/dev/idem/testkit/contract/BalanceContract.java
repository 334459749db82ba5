package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.destination.Destination;
import dev.idem.destination.SupportsSqlTransform;
import dev.idem.fault.FaultInjector;
import dev.idem.key.KeySpec;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The balance rule, read from the ledger: for every window, rows read = the sum of what became of
 * them, on inputs that between them exercise every term, with every strategy; a failed window
 * balances too, with its open dead letters.
 *
 * <p>One part of {@link DestinationContractSuite}, which is split by concern into a chain of
 * abstract classes so that each stays readable: a destination's test extends {@code
 * DestinationContractSuite}, never this class.
 */
public abstract class BalanceContract extends ContractHarness {
  // ---------------------------------------------------------------- the balance rule, from the
  // ledger

  /** Inputs that between them exercise every term of the balance rule. */
  enum Fixture {
    /** Duplicates in a window (folded), a later version of a key (updated, unchanged, skipped). */
    CLEAN,
    /**
     * Records the source cannot read, and a text with a NUL (PostgreSQL refuses it at staging):
     * dead-lettered.
     */
    BAD_RECORDS,
    /** A row function that drops a customer's records: discarded. */
    ROW_FUNCTION,
    /** A SQL transform that filters rows out: reshaped. */
    TRANSFORM,
    /** A delete flag (merge only): deleted. */
    DELETE_FLAG
  }

  static Stream<Arguments> fixturesAndStrategies() {
    List<Arguments> cases = new ArrayList<>();
    for (Fixture f : Fixture.values()) {
      for (WriteStrategy s : WriteStrategy.values()) {
        if (f != Fixture.DELETE_FLAG || s == WriteStrategy.MERGE) {
          cases.add(Arguments.of(f, s));
        }
      }
    }
    return cases.stream();
  }

  private static final Schema ORDERS_WITH_FLAG = ORDERS.plus(Column.of("gone", DataType.BOOLEAN));

  private static Pipeline balancePipeline(
      Fixture fixture, WriteStrategy strategy, ListSource source) {
    Pipeline.Builder b =
        Pipeline.builder("orders")
            .version("1")
            .source(source)
            .table("orders")
            .strategy(strategy)
            .badRecords(new BadRecordPolicy(100, null))
            .windows(
                strategy == WriteStrategy.REPLACE_TABLE
                    ? WindowSpec.full()
                    : WindowSpec.day("ingested_at", ZoneOffset.UTC));
    if (strategy != WriteStrategy.REPLACE_WINDOW) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    }
    switch (fixture) {
      case ROW_FUNCTION ->
          b.rowFunction(
              "drop-fay-v1", (values, context) -> "fay".equals(values[1]) ? null : values);
      case TRANSFORM ->
          b.transform("SELECT * FROM staged WHERE customer <> 'bob'").targetColumns(ORDERS);
      case DELETE_FLAG -> b.deleteFlag("gone");
      default -> {}
    }
    return b.build();
  }

  private static ListSource balanceInput(Fixture fixture) {
    if (fixture == Fixture.DELETE_FLAG) {
      ListSource s = new ListSource(ORDERS_WITH_FLAG);
      for (Object[] r : orders().records()) {
        s.add(r[0], r[1], r[2], r[3], false);
      }
      s.add(4L, "dee", null, at("2024-03-03T13:00:00"), true); // a newer version deleting order 4
      s.add(7L, "gus", null, at("2024-03-01T13:00:00"), true); // an older one: order 7 stays
      return s;
    }
    ListSource s = orders();
    if (fixture == Fixture.BAD_RECORDS) {
      s.addBad(
          at("2024-03-01T12:00:00"),
          "9,ivy,abc,2024-03-01 12:00:00",
          "column amount: 'abc' is not a decimal(12,2)");
      s.addBad(at("2024-03-03T12:00:00"), "10,jo", "expected 4 columns, found 2");
      s.add(11L, "nul\0inside", BigDecimal.ONE, at("2024-03-02T10:00:00"));
    }
    return s;
  }

  /** A second version of the input: a later version of a key, a new key, another bad record. */
  private static void change(Fixture fixture, ListSource s) {
    if (fixture == Fixture.DELETE_FLAG) {
      s.add(2L, "bob", new BigDecimal("21.00"), at("2024-03-01T09:30:00"), false);
      s.add(12L, "kim", BigDecimal.TEN, at("2024-03-02T11:00:00"), false);
      return;
    }
    s.add(2L, "bob", new BigDecimal("21.00"), at("2024-03-01T09:30:00"));
    s.add(12L, "kim", BigDecimal.TEN, at("2024-03-02T11:00:00"));
    s.addBad(at("2024-03-02T12:00:00"), "13,lee,,x", "column ingested_at: 'x' is not a timestamp");
  }

  /**
   * For every window, from its ledger row: read = discarded + dead-lettered + reshaped + folded +
   * inserted + updated + unchanged + skipped + deleted; read is the number of records the input
   * holds for the window; dead-lettered is the number of its open dead letters; the target holds as
   * many of its rows as recorded. A load's reported counts are the ledger's.
   */
  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("fixturesAndStrategies")
  void everyWindowsLedgerRowBalancesOnEveryFixtureAndStrategy(
      Fixture fixture, WriteStrategy strategy) {
    assumeStrategy(strategy);
    ListSource source = balanceInput(fixture);
    Pipeline p = balancePipeline(fixture, strategy, source);
    Destination d = fresh();
    Assumptions.assumeTrue(
        fixture != Fixture.TRANSFORM || d instanceof SupportsSqlTransform,
        () ->
            "opted out: "
                + d.describe()
                + " runs no SQL transforms (it does not implement SupportsSqlTransform)");
    if (fixture == Fixture.DELETE_FLAG) {
      keepsDeletes(d);
    }
    RunReport first = run(d, p, all(p));
    assertThat(first.count(Result.LOADED)).as("%s", first.outcomes()).isEqualTo(all(p).size());
    assertLedgerBalances(d, p, first);
    assertThat(run(d, p, all(p)).outcomes())
        .extracting(WindowOutcome::result)
        .containsOnly(Result.UNCHANGED);
    assertLedgerBalances(d, p, null);
    if (can(Limit.RELOADS_A_DONE_WINDOW)) {
      assertLedgerBalances(
          d,
          p,
          run(d, p, all(p), RunOptions.defaults("forced").forced(), FaultInjector.NONE, "p1"));
      change(fixture, source);
      RunReport changed = run(d, p, all(p));
      assertThat(changed.count(Result.FAILED)).as("%s", changed.outcomes()).isZero();
      assertLedgerBalances(d, p, changed);
    }
    if (fixture == Fixture.DELETE_FLAG) {
      // the first run deletes; a forced or changed re-run of the deleting window finds the delete
      // already remembered (a tombstone), so its ledger row then counts it unchanged
      assertThat(first.outcomes().stream().mapToLong(o -> o.counts().deleted()).sum())
          .as("the fixture's own term is exercised")
          .isPositive();
      return;
    }
    if (fixture == Fixture.CLEAN
        && strategy == WriteStrategy.APPEND
        && !can(Limit.APPEND_DEDUPLICATES_BY_KEY)) {
      return; // every record is inserted: the clean fixture's terms (folded, skipped) are not this
      // destination's
    }
    long terms =
        d.ledger().states("orders").stream()
            .map(WindowState::counts)
            .mapToLong(
                c ->
                    fixture == Fixture.BAD_RECORDS
                        ? c.deadLettered()
                        : fixture == Fixture.ROW_FUNCTION
                            ? c.discarded()
                            : fixture == Fixture.TRANSFORM
                                ? c.reshaped()
                                : c.folded()
                                    + c.updated()
                                    + c.unchanged()
                                    + c.skipped()
                                    + c.replaced())
            .sum();
    assertThat(terms).as("the fixture's own term is exercised").isPositive();
  }

  private void assertLedgerBalances(Destination d, Pipeline p, RunReport report) {
    List<WindowState> states = d.ledger().states("orders");
    assertThat(states)
        .extracting(WindowState::windowId)
        .containsExactlyElementsOf(all(p).stream().map(Window::id).toList());
    for (WindowState s : states) {
      WindowCounts c = s.counts();
      assertThat(s.status()).as(s.windowId()).isEqualTo(WindowStatus.DONE);
      assertThat(c.balanced()).as("%s balances: %s", s.windowId(), c).isTrue();
      assertThat(c.read()).as("%s read", s.windowId()).isEqualTo(recordsOf(p, s.windowId()));
      assertThat(c.deadLettered())
          .as("%s dead-lettered", s.windowId())
          .isEqualTo(d.ledger().deadLetters("orders", Optional.of(s.windowId()), false).size());
      assertThat(c.targetRows())
          .as("%s target rows", s.windowId())
          .isEqualTo(d.rowsInTarget(p, s.windowId()));
    }
    if (report != null) {
      for (WindowOutcome o : report.outcomes()) {
        if (o.result() == Result.LOADED) {
          // but for the target's rows, which later windows of the run may take over (merge)
          WindowCounts recorded =
              d.ledger().state("orders", o.window().id()).orElseThrow().counts();
          assertThat(o.counts())
              .as("%s reported as recorded", o.window())
              .usingRecursiveComparison()
              .ignoringFields("targetRows")
              .isEqualTo(recorded);
        }
      }
    }
  }

  /** How many records the input holds for a window, bad ones included. */
  private static long recordsOf(Pipeline p, String windowId) {
    try (var reader = p.source().read(p.windows(), p.windows().window(windowId))) {
      long n = 0;
      while (reader.next() != null) {
        n++;
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A window failed by its bad records keeps them as dead letters, and its ledger row balances like
   * a loaded one: read = dead-lettered + rolled back (the records whose rows went with the
   * rolled-back transaction), read being every record of the window (a ratio limit is judged at the
   * end), dead-lettered its open letters. The report's counts are the ledger's.
   */
  @Test
  void aFailedWindowsLedgerRowBalancesWithItsOpenDeadLetters() {
    ListSource source = balanceInput(Fixture.BAD_RECORDS);
    Pipeline p =
        Pipeline.builder("orders")
            .version("1")
            .source(source)
            .table("orders")
            .strategy(general())
            .badRecords(new BadRecordPolicy(100, 0.1))
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .key(KeySpec.columns("order_id"))
            .orderBy("ingested_at")
            .build();
    Destination d = fresh();
    RunReport report = run(d, p, all(p));
    List<WindowOutcome> failed =
        report.outcomes().stream().filter(o -> o.result() == Result.FAILED).toList();
    // a destination that refuses the NUL text of 2024-03-02 dead-letters it too, and fails that
    // window as well
    assertThat(failed).extracting(o -> o.window().id()).contains("2024-03-01", "2024-03-03");
    for (WindowOutcome o : failed) {
      String id = o.window().id();
      WindowState state = d.ledger().state("orders", id).orElseThrow();
      assertThat(state.status()).isEqualTo(WindowStatus.FAILED);
      WindowCounts c = state.counts();
      assertThat(c.read()).as(id).isEqualTo(recordsOf(p, id)).isPositive();
      assertThat(c.deadLettered())
          .as(id)
          .isEqualTo(d.ledger().deadLetters("orders", Optional.of(id), false).size())
          .isPositive();
      assertThat(c.rolledBack()).as(id).isEqualTo(c.read() - c.deadLettered()).isPositive();
      assertThat(c.balanced()).as("%s %s", id, c).isTrue();
      assertThat(o.counts()).as(id).isEqualTo(c);
    }
  }
}
