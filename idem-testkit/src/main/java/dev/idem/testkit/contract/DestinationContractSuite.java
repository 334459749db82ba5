package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.destination.Destination;
import dev.idem.destination.FencedException;
import dev.idem.destination.SupportsSqlTransform;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.RunServices;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The idempotency contract every destination must pass (as Flink's SinkTestSuiteBase): run twice
 * = run once; a crash at every fault point then a retry = a clean run; overlapping ranges; a
 * changed window is rewritten and the others skipped; concurrent runners load each window once;
 * a zombie runner cannot commit. States are compared by full table content, never by counts alone.
 *
 * <p>Subclasses give a fresh, empty destination per call and read a table's rows. A destination
 * that cannot do part of the contract says so explicitly, with its reason: the strategies it
 * refuses ({@link #refusedStrategies()}, checked to be refused when the run is planned) and the
 * {@link Limit}s it has ({@link #limits()}). A case that needs what the destination declares it
 * cannot do is skipped with that reason (a JUnit assumption, reported as skipped, never as passed);
 * where the destination refuses instead, the refusal and the untouched target are checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DestinationContractSuite {
  protected static final Schema ORDERS = Schema.of(
      Column.of("order_id", DataType.INTEGER), Column.of("customer", DataType.STRING),
      Column.of("amount", DataType.decimal(12, 2)), Column.of("ingested_at", DataType.TIMESTAMP));
  private static final Duration TTL = Duration.ofMinutes(5);

  private final List<Destination> opened = java.util.Collections.synchronizedList(new ArrayList<>());
  protected final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T00:00:00Z"));

  /**
   * Parts of the contract a destination may declare it cannot do (see {@link #limits()}). Each is
   * something a database table does and another kind of target, a Kafka topic say, cannot.
   */
  protected enum Limit {
    /** A done window is loaded again when a run forces it or its input changed (a topic cannot take records back). */
    RELOADS_A_DONE_WINDOW,
    /** The target is counted by window, so rows removed behind idem's back are noticed and the window is loaded again. */
    COUNTS_THE_TARGET_BY_WINDOW,
    /** A claimed window is written to the ledger, which shows it RUNNING until its commit. */
    RECORDS_CLAIMS_IN_THE_LEDGER,
    /** {@code append} skips a key the target holds and folds a window's duplicates, rather than writing every record. */
    APPEND_DEDUPLICATES_BY_KEY
  }

  /** The strategies this destination refuses, each with the reason. Default: none. */
  protected Map<WriteStrategy, String> refusedStrategies() {
    return Map.of();
  }

  /** What this destination cannot do, each with the reason. Default: nothing. */
  protected Map<Limit, String> limits() {
    return Map.of();
  }

  private void assumeStrategy(WriteStrategy strategy) {
    String why = refusedStrategies().get(strategy);
    Assumptions.assumeTrue(why == null, () -> "opted out: strategy " + strategy.label() + " is refused: " + why);
  }

  private void assumeCan(Limit what) {
    String why = limits().get(what);
    Assumptions.assumeTrue(why == null, () -> "opted out: " + what + ": " + why);
  }

  private boolean can(Limit what) {
    return !limits().containsKey(what);
  }

  /**
   * The strategy of the cases that are about no strategy in particular: {@code merge}, the most
   * demanding, unless the destination refuses it; then {@code append}.
   */
  private WriteStrategy general() {
    return refusedStrategies().containsKey(WriteStrategy.MERGE) ? WriteStrategy.APPEND : WriteStrategy.MERGE;
  }

  /** The strategies the crash cases run: every one with day windows, but those the destination refuses. */
  private List<WriteStrategy> crashStrategies() {
    return Stream.of(WriteStrategy.MERGE, WriteStrategy.REPLACE_WINDOW, WriteStrategy.APPEND)
        .filter(s -> !refusedStrategies().containsKey(s)).toList();
  }

  /** A new, empty destination (its own database file or schema). */
  protected abstract Destination newDestination(RunServices services);

  /** Opens the same database as {@code destination} again (as a restarted process would). */
  protected abstract Destination reopen(Destination destination, RunServices services);

  /** Every row of a table, each rendered as text, sorted: a multiset snapshot. */
  protected abstract List<String> rows(Destination destination, String table);

  /** Deletes the target rows a window wrote, behind idem's back. */
  protected abstract void deleteRowsOf(Destination destination, String table, String windowId);

  /**
   * Lets every live lease of the destination expire, as time passing would. Default: advance the
   * runners' clock (destinations that judge leases by it); a destination that judges leases by
   * its own clock moves the recorded expiry instead.
   */
  protected void expireLeases(Destination destination) {
    clock.advance(TTL.plusSeconds(1));
  }

  protected RunServices services(String owner) {
    return RunServices.defaults().withClock(clock).withOwner(owner).withLeaseTtl(TTL)
        .withRetry(new RetryPolicy(5, Duration.ZERO, Duration.ZERO));
  }

  private Destination fresh() {
    Destination d = newDestination(services("p1"));
    opened.add(d);
    return d;
  }

  private Destination track(Destination d) {
    opened.add(d);
    return d;
  }

  @AfterAll
  void closeAll() {
    opened.forEach(Destination::close);
  }

  // ---------------------------------------------------------------- data

  private static LocalDateTime at(String t) {
    return LocalDateTime.parse(t);
  }

  /** Five days of orders with an exact duplicate (day 1), a late correction (order 1 on day 3) and a re-sent order. */
  protected static ListSource orders() {
    ListSource s = new ListSource(ORDERS);
    s.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-01T10:00:00"));
    s.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00"));
    s.add(5L, "eve 'q'; drop", new BigDecimal("99.99"), at("2024-03-02T09:30:00"));
    s.add(1L, "ada", new BigDecimal("12.50"), at("2024-03-03T11:00:00"));
    s.add(6L, "fay", null, at("2024-03-03T12:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-04T07:00:00"));
    s.add(7L, "gus \"x\"", new BigDecimal("1.10"), at("2024-03-04T23:59:59.999"));
    s.add(8L, "hal", new BigDecimal("8.00"), at("2024-03-05T00:00:00"));
    s.add(8L, "hal", new BigDecimal("8.80"), at("2024-03-05T00:00:00"));
    return s;
  }

  protected static Pipeline pipeline(ListSource source, WriteStrategy strategy) {
    Pipeline.Builder b = Pipeline.builder("orders").version("1").source(source).table("orders").strategy(strategy);
    if (strategy == WriteStrategy.REPLACE_TABLE) {
      b.windows(WindowSpec.full());
    } else {
      b.windows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
    }
    if (strategy != WriteStrategy.REPLACE_WINDOW && strategy != WriteStrategy.REPLACE_TABLE) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    } else if (strategy == WriteStrategy.REPLACE_TABLE) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    }
    return b.build();
  }

  private static List<Window> all(Pipeline p) {
    try {
      return p.source().windows(p.windows());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private RunReport run(Destination d, Pipeline p, List<Window> windows, RunOptions options, FaultInjector faults, String owner) {
    return new Runner(d, services(owner).withFaults(faults)).run(p, windows, options);
  }

  private RunReport run(Destination d, Pipeline p, List<Window> windows) {
    return run(d, p, windows, RunOptions.defaults("run"), FaultInjector.NONE, "p1");
  }

  /** The rows of one clean run on a destination of its own, closed at once (a server has only so many connections). */
  private List<String> cleanRun(Pipeline p) {
    try (Destination d = newDestination(services("p1"))) {
      RunReport r = run(d, p, all(p));
      assertThat(r.ok()).as("clean run: %s", r.outcomes()).isTrue();
      return rows(d, "orders");
    }
  }

  private static void assertBalanced(RunReport report) {
    for (WindowOutcome o : report.outcomes()) {
      if (o.result() == Result.LOADED) {
        assertThat(o.counts().balanced()).as("conservation of rows in %s: %s", o.window(), o.counts()).isTrue();
      }
    }
  }

  // ---------------------------------------------------------------- the contract

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

    RunReport forced = run(d, p, all(p), RunOptions.defaults("forced").forced(), FaultInjector.NONE, "p1");
    if (can(Limit.RELOADS_A_DONE_WINDOW)) {
      assertThat(forced.count(Result.LOADED)).isEqualTo(all(p).size());
      assertBalanced(forced);
    } else {
      // refused, window by window, and the target is as the first run left it
      assertThat(forced.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.FAILED).hasSize(all(p).size());
      assertThat(d.ledger().states("orders")).extracting(WindowState::status).containsOnly(WindowStatus.DONE);
    }
    assertThat(rows(d, "orders")).isEqualTo(once);
  }

  /** The strategies a destination declares it refuses are refused when the run is planned, with a reason; the others are taken. */
  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void aStrategyIsRefusedWhenTheRunIsPlannedExactlyWhenDeclared(WriteStrategy strategy) {
    Pipeline p = pipeline(orders(), strategy);
    try (Destination d = newDestination(services("p1"))) {
      if (refusedStrategies().containsKey(strategy)) {
        assertThatThrownBy(() -> Runner.checkCapabilities(p, d)).isInstanceOf(dev.idem.ConfigException.class)
            .hasMessageContaining(strategy.label()).hasMessageContaining("support");
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
    assertThat(rows).anySatisfy(r -> assertThat(r).contains("order_id=1").contains("amount=12.50").contains("_idem_window=2024-03-03"));
    assertThat(rows).anySatisfy(r -> assertThat(r).contains("order_id=8").contains("amount=8.80"));
    assertThat(rows).anySatisfy(r -> assertThat(r).contains("order_id=3").contains("_idem_window=2024-03-04"));
  }

  /**
   * Every fault point (all the constants of {@link FaultPoint}, so a new one is crashed at without
   * a change here) with every strategy of {@link #crashStrategies()}.
   */
  Stream<Arguments> crashCases() {
    List<Arguments> cases = new ArrayList<>();
    for (FaultPoint point : EnumSet.allOf(FaultPoint.class)) {
      for (WriteStrategy strategy : crashStrategies()) {
        cases.add(Arguments.of(point, strategy));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("crashCases")
  void crashAtEveryFaultPointThenRetryEqualsCleanRun(FaultPoint point, WriteStrategy strategy) {
    Pipeline p = pipeline(orders(), strategy);
    List<String> clean = cleanRun(p);
    Destination d = fresh();
    CrashAt crash = new CrashAt(point, "2024-03-03");
    assertThatThrownBy(() -> run(d, p, all(p), RunOptions.defaults("crashing"), crash, "p1"))
        .as("%s at %s", strategy, point).isInstanceOf(SimulatedCrash.class);
    assertThat(crash.fired()).isTrue();

    // The crashed runner's lease is still live; a runner started later finds it expired.
    expireLeases(d);
    Destination restarted = track(reopen(d, services("p2")));
    RunReport retry = run(restarted, p, all(p), RunOptions.defaults("retry"), FaultInjector.NONE, "p2");
    assertThat(retry.ok()).as("retry after %s: %s", point, retry.outcomes()).isTrue();
    assertBalanced(retry);
    assertThat(rows(restarted, "orders")).as("%s: crash at %s then retry", strategy, point).isEqualTo(clean);
    assertThat(run(restarted, p, all(p), RunOptions.defaults("again"), FaultInjector.NONE, "p2").outcomes())
        .extracting(WindowOutcome::result).containsOnly(Result.UNCHANGED);
  }

  /**
   * Independent of the crash cases (it crashes nothing): a clean run of each strategy this
   * destination takes reaches every fault point, so none is a name the runner never calls, and
   * the crash cases are built from every fault point and every crash strategy. Fails when a fault
   * point is added but never reached, reached by only some strategies, or left out of the crash
   * cases (by their source, or by the crash test reading another source).
   */
  @Test
  void everyFaultPointIsReachedByACleanRunAndCrashedAtByTheCrashCases() throws Exception {
    Set<FaultPoint> all = EnumSet.allOf(FaultPoint.class);
    for (WriteStrategy strategy : WriteStrategy.values()) {
      if (refusedStrategies().containsKey(strategy)) {
        continue;
      }
      Pipeline p = pipeline(orders(), strategy);
      Set<FaultPoint> reached = ConcurrentHashMap.newKeySet();
      try (Destination d = newDestination(services("p1"))) {
        RunReport r = run(d, p, all(p), RunOptions.defaults("recorded"), (point, window) -> reached.add(point), "p1");
        assertThat(r.ok()).as("%s: %s", strategy, r.outcomes()).isTrue();
      }
      assertThat(reached).as("fault points a clean %s run reaches", strategy).containsExactlyInAnyOrderElementsOf(all);
    }
    assertThat(crashStrategies()).as("crash strategies").isNotEmpty().noneMatch(refusedStrategies()::containsKey);
    List<Arguments> cases = crashCases().toList();
    for (WriteStrategy strategy : crashStrategies()) {
      assertThat(cases).filteredOn(a -> a.get()[1] == strategy).extracting(a -> (FaultPoint) a.get()[0])
          .as("fault points crashed at with %s", strategy).containsExactlyInAnyOrderElementsOf(all);
    }
    java.lang.reflect.Method crashTest = DestinationContractSuite.class
        .getDeclaredMethod("crashAtEveryFaultPointThenRetryEqualsCleanRun", FaultPoint.class, WriteStrategy.class);
    assertThat(crashTest.getAnnotation(MethodSource.class)).as("the crash test's source of cases").isNotNull()
        .extracting(MethodSource::value).isEqualTo(new String[] {"crashCases"});
  }

  @Test
  void crashBeforeCommitLeavesNoRowsOfTheWindow() {
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    CrashAt crash = new CrashAt(FaultPoint.BEFORE_COMMIT, "2024-03-01");
    assertThatThrownBy(() -> run(d, p, all(p), RunOptions.defaults("crashing"), crash, "p1")).isInstanceOf(SimulatedCrash.class);
    assertThat(rows(d, "orders")).isEmpty();
    if (can(Limit.RECORDS_CLAIMS_IN_THE_LEDGER)) {
      assertThat(d.ledger().state("orders", "2024-03-01")).get().extracting(WindowState::status).isEqualTo(WindowStatus.RUNNING);
    } else {
      assertThat(d.ledger().state("orders", "2024-03-01")).as("nothing of the window is recorded").isEmpty();
    }
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
    java.util.Collections.reverse(windows);
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
    RunReport forced = run(d, p, List.of(p.windows().window("2024-03-01")), RunOptions.defaults("force").forced(), FaultInjector.NONE, "p1");
    assertThat(forced.outcomes().get(0).result()).isEqualTo(Result.LOADED);
    assertThat(forced.outcomes().get(0).counts().updated()).isZero();
    assertThat(rows(d, "orders")).isEqualTo(before)
        .anySatisfy(r -> assertThat(r).contains("order_id=1").contains("amount=12.50"));
  }

  @ParameterizedTest
  @EnumSource(value = WriteStrategy.class, names = {"MERGE", "REPLACE_WINDOW"})
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
    assertThat(rerun.outcomes()).filteredOn(o -> o.window().id().equals("2024-03-02")).extracting(WindowOutcome::result).containsExactly(Result.LOADED);
    assertThat(rerun.outcomes()).filteredOn(o -> !o.window().id().equals("2024-03-02")).extracting(WindowOutcome::result).containsOnly(Result.UNCHANGED);
    List<String> expected = cleanRun(pipeline(new ListSource(ORDERS).replaceAll(changed), strategy));
    if (strategy == WriteStrategy.REPLACE_WINDOW) {
      assertThat(rows(d, "orders")).isEqualTo(expected);
    } else {
      // merge never deletes a key that stopped arriving (use a delete flag for that): order 5 stays
      assertThat(rows(d, "orders")).containsAll(expected).anySatisfy(r -> assertThat(r).contains("order_id=4").contains("amount=4.00"));
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
    assertThat(rerun.outcomes()).filteredOn(o -> o.window().id().equals("2024-03-02")).extracting(WindowOutcome::result).containsExactly(Result.LOADED);
    assertThat(rows(d, "orders")).isEqualTo(once);
  }

  @Test
  void concurrentRunnersLoadEachWindowOnce() throws Exception {
    Pipeline p = pipeline(orders(), general());
    List<String> clean = cleanRun(p);
    Destination d = fresh();
    d.prepare(p);
    int runners = 4;
    ExecutorService pool = Executors.newFixedThreadPool(runners);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<RunReport>> futures = new ArrayList<>();
    for (int i = 0; i < runners; i++) {
      String owner = "p1-runner" + i;
      futures.add(pool.submit(() -> {
        start.await();
        return new Runner(d, services("p1").withOwner("p1")).run(p, all(p), new RunOptions(RunOptions.Reload.IF_CHANGED, 2, null, owner));
      }));
    }
    start.countDown();
    List<WindowOutcome> outcomes = new ArrayList<>();
    for (Future<RunReport> f : futures) {
      outcomes.addAll(f.get().outcomes());
    }
    pool.shutdown();
    assertThat(outcomes).filteredOn(o -> o.result() == Result.FAILED).extracting(WindowOutcome::message).isEmpty();
    assertThat(outcomes).filteredOn(o -> o.result() == Result.LOADED).extracting(o -> o.window().id())
        .doesNotHaveDuplicates().hasSize(all(p).size());
    assertThat(rows(d, "orders")).isEqualTo(clean);
  }

  @Test
  void aZombieWhoseLeaseWasTakenOverCannotCommit() {
    Pipeline p = pipeline(orders(), general());
    Window day1 = p.windows().window("2024-03-01");
    List<String> day1Alone;
    try (Destination alone = newDestination(services("p1"))) {
      assertThat(run(alone, p, List.of(day1)).ok()).isTrue();
      day1Alone = rows(alone, "orders");
    }
    Destination d = fresh();
    List<RunReport> takeover = new ArrayList<>();
    FaultInjector stall = (point, window) -> {
      if (point == FaultPoint.AFTER_STAGING && takeover.isEmpty()) {
        expireLeases(d); // the zombie stalls past its lease ...
        Destination other = track(reopen(d, services("p2")));
        takeover.add(new Runner(other, services("p2")).run(p, List.of(day1), RunOptions.defaults("takeover"))); // ... and is taken over
      }
    };
    RunReport zombie = run(d, p, List.of(day1), RunOptions.defaults("zombie"), stall, "p1");
    assertThat(takeover.get(0).outcomes().get(0).result()).isEqualTo(Result.LOADED);
    // its commit is refused; the window it was held out of is done by the runner that took it over
    assertThat(zombie.outcomes().get(0).result()).isEqualTo(Result.DONE_ELSEWHERE);
    assertThat(zombie.outcomes().get(0).message()).contains("taken over").contains("then done by another runner (run takeover)");
    WindowState state = d.ledger().state("orders", "2024-03-01").orElseThrow();
    assertThat(state.status()).isEqualTo(WindowStatus.DONE);
    assertThat(state.runId()).isEqualTo("takeover");
    assertThat(rows(d, "orders")).as("the rows of one load of the window").isNotEmpty().isEqualTo(day1Alone);
  }

  @Test
  void aLiveLeaseIsNotClaimedTwice() {
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    d.prepare(p);
    try (Presence holder = d.ledger().enter("p1/1")) {
      Optional<Lease> first = d.ledger().claim("orders", "2024-03-01", "p1/1", TTL);
      assertThat(first).isPresent();
      assertThat(d.ledger().claim("orders", "2024-03-01", "p1/2", TTL)).isEmpty();
      expireLeases(d); // a live holder that stalled past its lease loses it
      Optional<Lease> later = d.ledger().claim("orders", "2024-03-01", "p1/2", TTL);
      // fencing needs a greater token, not the next one (a destination that keeps no claims cannot count them)
      assertThat(later).get().extracting(Lease::token).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG)
          .isGreaterThan(first.get().token());
      assertThatThrownBy(() -> d.ledger().fail(first.get(), "late")).isInstanceOf(FencedException.class);
    }
  }

  /**
   * A window failed by its bad records keeps them as dead letters, and its ledger row balances
   * like a loaded one: read = dead-lettered + rolled back (the records whose rows went with the
   * rolled-back transaction), read being every record of the window (a ratio limit is judged at
   * the end), dead-lettered its open letters. The report's counts are the ledger's.
   */
  @Test
  void aFailedWindowsLedgerRowBalancesWithItsOpenDeadLetters() {
    ListSource source = balanceInput(Fixture.BAD_RECORDS);
    Pipeline p = Pipeline.builder("orders").version("1").source(source).table("orders").strategy(general())
        .badRecords(new dev.idem.pipeline.BadRecordPolicy(100, 0.1)).windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .key(KeySpec.columns("order_id")).orderBy("ingested_at").build();
    Destination d = fresh();
    RunReport report = run(d, p, all(p));
    List<WindowOutcome> failed = report.outcomes().stream().filter(o -> o.result() == Result.FAILED).toList();
    // a destination that refuses the NUL text of 2024-03-02 dead-letters it too, and fails that window as well
    assertThat(failed).extracting(o -> o.window().id()).contains("2024-03-01", "2024-03-03");
    for (WindowOutcome o : failed) {
      String id = o.window().id();
      WindowState state = d.ledger().state("orders", id).orElseThrow();
      assertThat(state.status()).isEqualTo(WindowStatus.FAILED);
      WindowCounts c = state.counts();
      assertThat(c.read()).as(id).isEqualTo(recordsOf(p, id)).isPositive();
      assertThat(c.deadLettered()).as(id).isEqualTo(d.ledger().deadLetters("orders", Optional.of(id), false).size()).isPositive();
      assertThat(c.rolledBack()).as(id).isEqualTo(c.read() - c.deadLettered()).isPositive();
      assertThat(c.balanced()).as("%s %s", id, c).isTrue();
      assertThat(o.counts()).as(id).isEqualTo(c);
    }
  }

  /**
   * The lease's renewal can still fire after the window committed (the commit ended the lease):
   * that is not a takeover, and must not be logged as one. The check can fail: a probe logged the
   * same way must be seen.
   */
  @Test
  void aRenewalAfterTheWindowCommittedIsNotReportedAsATakeover() {
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    Duration ttl = Duration.ofSeconds(1); // renewed every third of it
    FaultInjector linger = (point, window) -> {
      if (point == FaultPoint.AFTER_COMMIT) {
        try {
          Thread.sleep(ttl.toMillis()); // three renewals fall after the commit
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      org.slf4j.LoggerFactory.getLogger(Runner.class).warn("probe: warnings of the runner are captured");
      RunReport r = new Runner(d, services("p1").withLeaseTtl(ttl).withFaults(linger)).run(p, List.of(p.windows().window("2024-03-01")),
          RunOptions.defaults("linger"));
      assertThat(r.ok()).as("%s", r.outcomes()).isTrue();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("probe: warnings of the runner are captured").doesNotContain("taken over");
  }

  @Test
  void aLeaseWhoseHolderLeftIsTakenOverAtOnce() {
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    d.prepare(p);
    Optional<Lease> first;
    try (Presence holder = d.ledger().enter("p1/1")) {
      first = d.ledger().claim("orders", "2024-03-01", "p1/1", TTL);
      assertThat(first).isPresent();
      assertThat(d.ledger().alive("p1/1")).isTrue();
    }
    // the holder ended without finishing the window (its failure could not be recorded): its lease has not expired
    assertThat(d.ledger().alive("p1/1")).isFalse();
    try (Presence next = d.ledger().enter("p1/2")) {
      assertThat(d.ledger().claim("orders", "2024-03-01", "p1/2", TTL)).get().extracting(Lease::token)
          .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG).isGreaterThan(first.get().token());
    }
  }

  @Test
  void replaceWindowWithAKeyRewritesOnlyTheDifferenceAndRefusesAKeyOfAnotherWindow() {
    assumeStrategy(WriteStrategy.REPLACE_WINDOW);
    ListSource source = new ListSource(ORDERS);
    source.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"));
    source.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    source.add(2L, "bob", new BigDecimal("20.75"), at("2024-03-01T09:00:00")); // same order value: the greater amount wins
    source.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-01T10:00:00"));
    source.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00"));
    Pipeline p = Pipeline.builder("orders").version("1").source(source).table("orders").strategy(WriteStrategy.REPLACE_WINDOW)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC)).key(KeySpec.columns("order_id")).build();
    Destination d = fresh();
    RunReport first = run(d, p, all(p));
    assertBalanced(first);
    assertThat(rows(d, "orders")).hasSize(4).anySatisfy(r -> assertThat(r).startsWith("order_id=2|").contains("amount=20.75"));

    List<Object[]> changed = new ArrayList<>();
    changed.add(new Object[] {1L, "ada", new BigDecimal("11.00"), at("2024-03-01T08:00:00")}); // updated
    changed.add(new Object[] {2L, "bob", new BigDecimal("20.75"), at("2024-03-01T09:00:00")}); // unchanged
    changed.add(new Object[] {5L, "eve", new BigDecimal("5.00"), at("2024-03-01T11:00:00")}); // new; order 3 is gone
    changed.add(new Object[] {4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00")});
    source.replaceAll(changed);
    RunReport second = run(d, p, all(p));
    assertBalanced(second);
    WindowOutcome day1 = second.outcomes().get(0);
    assertThat(day1.result()).isEqualTo(Result.LOADED);
    assertThat(List.of(day1.counts().inserted(), day1.counts().updated(), day1.counts().unchanged(), day1.counts().replaced()))
        .containsExactly(1L, 1L, 1L, 1L);
    assertThat(second.outcomes().get(1).result()).isEqualTo(Result.UNCHANGED);
    assertThat(rows(d, "orders")).isEqualTo(cleanRun(Pipeline.builder("orders").version("1").source(new ListSource(ORDERS).replaceAll(changed))
        .table("orders").strategy(WriteStrategy.REPLACE_WINDOW).windows(WindowSpec.day("ingested_at", ZoneOffset.UTC)).key(KeySpec.columns("order_id")).build()));

    List<String> before = rows(d, "orders");
    List<Object[]> moved = new ArrayList<>(changed);
    moved.add(new Object[] {1L, "ada", new BigDecimal("11.00"), at("2024-03-02T09:00:00")}); // order 1 also on day 2
    source.replaceAll(moved);
    RunReport third = run(d, p, List.of(p.windows().window("2024-03-02")));
    assertThat(third.outcomes().get(0).result()).isEqualTo(Result.FAILED);
    assertThat(third.outcomes().get(0).message()).contains("2024-03-02").contains("[order_id]=[1]").contains("is already in window 2024-03-01");
    assertThat(rows(d, "orders")).isEqualTo(before);
  }

  @Test
  void aDeleteFlagRemovesAKeyOnlyWithANewerVersionAndTheOwnersRecordedCountFollows() {
    assumeStrategy(WriteStrategy.MERGE);
    Schema flagged = Schema.of(ORDERS.column(0), ORDERS.column(1), ORDERS.column(2), ORDERS.column(3), Column.of("gone", DataType.BOOLEAN));
    ListSource source = new ListSource(flagged);
    source.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"), false);
    source.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"), null);
    source.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-01T10:00:00"), true); // nothing to delete yet
    source.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-02T08:00:00"), true); // newer: deletes order 1 of 2024-03-01
    source.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T09:00:00"), false);
    source.add(9L, "zed", new BigDecimal("1.00"), at("2024-03-02T10:00:00"), true); // never loaded: nothing
    Pipeline p = Pipeline.builder("orders").version("1").source(source).table("orders").strategy(WriteStrategy.MERGE)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC)).key(KeySpec.columns("order_id")).orderBy("ingested_at").deleteFlag("gone").build();
    Destination d = fresh();
    RunReport first = run(d, p, all(p));
    assertBalanced(first);
    assertThat(first.outcomes()).extracting(o -> o.counts().deleted()).containsExactly(0L, 1L);
    assertThat(first.outcomes()).extracting(o -> o.counts().inserted()).containsExactly(2L, 1L);
    List<String> rows = rows(d, "orders");
    assertThat(rows).hasSize(2).noneSatisfy(r -> assertThat(r).startsWith("order_id=1|"))
        .anySatisfy(r -> assertThat(r).contains("order_id=2").contains("_idem_window=2024-03-01"))
        .anySatisfy(r -> assertThat(r).contains("order_id=4").contains("_idem_window=2024-03-02"));
    // 2024-03-01 now holds one row, and its ledger row says so: an unforced re-run skips both windows
    assertThat(run(d, p, all(p)).outcomes()).extracting(WindowOutcome::result).containsOnly(Result.UNCHANGED);

    RunReport forced = run(d, p, List.of(p.windows().window("2024-03-02")), RunOptions.defaults("force").forced(), FaultInjector.NONE, "p1");
    assertBalanced(forced);
    assertThat(forced.outcomes().get(0).counts()).satisfies(c -> {
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
    WindowOutcome bad = r.outcomes().stream().filter(o -> o.window().id().equals("2024-03-02")).findFirst().orElseThrow();
    assertThat(bad.result()).isEqualTo(Result.FAILED);
    assertThat(bad.message()).contains("2024-03-02").contains("NULL").contains("order_id");
    assertThat(rows(d, "orders")).noneSatisfy(row -> assertThat(row).contains("_idem_window=2024-03-02"));
    assertThat(d.ledger().state("orders", "2024-03-02")).get().extracting(WindowState::status).isEqualTo(WindowStatus.FAILED);
  }

  // ---------------------------------------------------------------- the balance rule, from the ledger

  /** Inputs that between them exercise every term of the balance rule. */
  enum Fixture {
    /** Duplicates in a window (folded), a later version of a key (updated, unchanged, skipped). */
    CLEAN,
    /** Records the source cannot read, and a text with a NUL (PostgreSQL refuses it at staging): dead-lettered. */
    BAD_RECORDS,
    /** A row function that drops a customer's records: discarded. */
    ROW_FUNCTION,
    /** A SQL transform that filters rows out: reshaped. */
    TRANSFORM,
    /** A delete flag (merge only): deleted. */
    DELETE_FLAG
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> fixturesAndStrategies() {
    List<org.junit.jupiter.params.provider.Arguments> cases = new ArrayList<>();
    for (Fixture f : Fixture.values()) {
      for (WriteStrategy s : WriteStrategy.values()) {
        if (f != Fixture.DELETE_FLAG || s == WriteStrategy.MERGE) {
          cases.add(org.junit.jupiter.params.provider.Arguments.of(f, s));
        }
      }
    }
    return cases.stream();
  }

  private static final Schema ORDERS_WITH_FLAG = ORDERS.plus(Column.of("gone", DataType.BOOLEAN));

  private static Pipeline balancePipeline(Fixture fixture, WriteStrategy strategy, ListSource source) {
    Pipeline.Builder b = Pipeline.builder("orders").version("1").source(source).table("orders").strategy(strategy)
        .badRecords(new dev.idem.pipeline.BadRecordPolicy(100, null))
        .windows(strategy == WriteStrategy.REPLACE_TABLE ? WindowSpec.full() : WindowSpec.day("ingested_at", ZoneOffset.UTC));
    if (strategy != WriteStrategy.REPLACE_WINDOW) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    }
    switch (fixture) {
      case ROW_FUNCTION -> b.rowFunction("drop-fay-v1", (values, context) -> "fay".equals(values[1]) ? null : values);
      case TRANSFORM -> b.transform("SELECT * FROM staged WHERE customer <> 'bob'").targetColumns(ORDERS);
      case DELETE_FLAG -> b.deleteFlag("gone");
      default -> { }
    }
    return b.build();
  }

  private static ListSource balanceInput(Fixture fixture) {
    if (fixture == Fixture.DELETE_FLAG) {
      ListSource s = new ListSource(ORDERS_WITH_FLAG);
      for (Object[] r : orders().records()) {
        s.add(r[0], r[1], r[2], r[3], false);
      }
      s.add(4L, "dee", null, at("2024-03-03T13:00:00"), true);   // a newer version deleting order 4
      s.add(7L, "gus", null, at("2024-03-01T13:00:00"), true);   // an older one: order 7 stays
      return s;
    }
    ListSource s = orders();
    if (fixture == Fixture.BAD_RECORDS) {
      s.addBad(at("2024-03-01T12:00:00"), "9,ivy,abc,2024-03-01 12:00:00", "column amount: 'abc' is not a decimal(12,2)");
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
   * holds for the window; dead-lettered is the number of its open dead letters; the target holds
   * as many of its rows as recorded. A load's reported counts are the ledger's.
   */
  @ParameterizedTest(name = "{0} with {1}")
  @org.junit.jupiter.params.provider.MethodSource("fixturesAndStrategies")
  void everyWindowsLedgerRowBalancesOnEveryFixtureAndStrategy(Fixture fixture, WriteStrategy strategy) {
    assumeStrategy(strategy);
    ListSource source = balanceInput(fixture);
    Pipeline p = balancePipeline(fixture, strategy, source);
    Destination d = fresh();
    Assumptions.assumeTrue(fixture != Fixture.TRANSFORM || d instanceof SupportsSqlTransform,
        () -> "opted out: " + d.describe() + " runs no SQL transforms (it does not implement SupportsSqlTransform)");
    RunReport first = run(d, p, all(p));
    assertThat(first.count(Result.LOADED)).as("%s", first.outcomes()).isEqualTo(all(p).size());
    assertLedgerBalances(d, p, first);
    assertThat(run(d, p, all(p)).outcomes()).extracting(WindowOutcome::result).containsOnly(Result.UNCHANGED);
    assertLedgerBalances(d, p, null);
    if (can(Limit.RELOADS_A_DONE_WINDOW)) {
      assertLedgerBalances(d, p, run(d, p, all(p), RunOptions.defaults("forced").forced(), FaultInjector.NONE, "p1"));
      change(fixture, source);
      RunReport changed = run(d, p, all(p));
      assertThat(changed.count(Result.FAILED)).as("%s", changed.outcomes()).isZero();
      assertLedgerBalances(d, p, changed);
    }
    if (fixture == Fixture.CLEAN && strategy == WriteStrategy.APPEND && !can(Limit.APPEND_DEDUPLICATES_BY_KEY)) {
      return; // every record is inserted: the clean fixture's terms (folded, skipped) are not this destination's
    }
    long terms = d.ledger().states("orders").stream().map(WindowState::counts)
        .mapToLong(c -> fixture == Fixture.BAD_RECORDS ? c.deadLettered() : fixture == Fixture.ROW_FUNCTION ? c.discarded()
            : fixture == Fixture.TRANSFORM ? c.reshaped() : fixture == Fixture.DELETE_FLAG ? c.deleted() : c.folded() + c.updated() + c.unchanged() + c.skipped() + c.replaced())
        .sum();
    assertThat(terms).as("the fixture's own term is exercised").isPositive();
  }

  private void assertLedgerBalances(Destination d, Pipeline p, RunReport report) {
    List<WindowState> states = d.ledger().states("orders");
    assertThat(states).extracting(WindowState::windowId).containsExactlyElementsOf(all(p).stream().map(Window::id).toList());
    for (WindowState s : states) {
      dev.idem.ledger.WindowCounts c = s.counts();
      assertThat(s.status()).as(s.windowId()).isEqualTo(WindowStatus.DONE);
      assertThat(c.balanced()).as("%s balances: %s", s.windowId(), c).isTrue();
      assertThat(c.read()).as("%s read", s.windowId()).isEqualTo(recordsOf(p, s.windowId()));
      assertThat(c.deadLettered()).as("%s dead-lettered", s.windowId())
          .isEqualTo(d.ledger().deadLetters("orders", Optional.of(s.windowId()), false).size());
      assertThat(c.targetRows()).as("%s target rows", s.windowId()).isEqualTo(d.rowsInTarget(p, s.windowId()));
    }
    if (report != null) {
      for (WindowOutcome o : report.outcomes()) {
        if (o.result() == Result.LOADED) {
          // but for the target's rows, which later windows of the run may take over (merge)
          dev.idem.ledger.WindowCounts recorded = d.ledger().state("orders", o.window().id()).orElseThrow().counts();
          assertThat(o.counts()).as("%s reported as recorded", o.window()).usingRecursiveComparison().ignoringFields("targetRows").isEqualTo(recorded);
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
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
