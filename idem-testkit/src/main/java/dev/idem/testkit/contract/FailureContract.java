package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.destination.Destination;
import dev.idem.destination.FencedException;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.window.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The failure model: a crash at every fault point then a retry equals a clean run, concurrent
 * runners load each window once, a zombie whose lease was taken over cannot commit, a live lease is
 * not claimed twice and one whose holder left is taken over at once.
 *
 * <p>One part of {@link DestinationContractSuite}, which is split by concern into a chain of
 * abstract classes so that each stays readable: a destination's test extends {@code
 * DestinationContractSuite}, never this class.
 */
public abstract class FailureContract extends BalanceContract {
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
        .as("%s at %s", strategy, point)
        .isInstanceOf(SimulatedCrash.class);
    assertThat(crash.fired()).isTrue();

    // The crashed runner's lease is still live; a runner started later finds it expired.
    expireLeases(d);
    Destination restarted = track(reopen(d, services("p2")));
    RunReport retry =
        run(restarted, p, all(p), RunOptions.defaults("retry"), FaultInjector.NONE, "p2");
    assertThat(retry.ok()).as("retry after %s: %s", point, retry.outcomes()).isTrue();
    assertBalanced(retry);
    assertThat(rows(restarted, "orders"))
        .as("%s: crash at %s then retry", strategy, point)
        .isEqualTo(clean);
    assertThat(
            run(restarted, p, all(p), RunOptions.defaults("again"), FaultInjector.NONE, "p2")
                .outcomes())
        .extracting(WindowOutcome::result)
        .containsOnly(Result.UNCHANGED);
  }

  /**
   * Independent of the crash cases (it crashes nothing): a clean run of each strategy this
   * destination takes reaches every fault point, so none is a name the runner never calls, and the
   * crash cases are built from every fault point and every crash strategy. Fails when a fault point
   * is added but never reached, reached by only some strategies, or left out of the crash cases (by
   * their source, or by the crash test reading another source).
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
        RunReport r =
            run(
                d,
                p,
                all(p),
                RunOptions.defaults("recorded"),
                (point, window) -> reached.add(point),
                "p1");
        assertThat(r.ok()).as("%s: %s", strategy, r.outcomes()).isTrue();
      }
      assertThat(reached)
          .as("fault points a clean %s run reaches", strategy)
          .containsExactlyInAnyOrderElementsOf(all);
    }
    assertThat(crashStrategies())
        .as("crash strategies")
        .isNotEmpty()
        .noneMatch(refusedStrategies()::containsKey);
    List<Arguments> cases = crashCases().toList();
    for (WriteStrategy strategy : crashStrategies()) {
      assertThat(cases)
          .filteredOn(a -> a.get()[1] == strategy)
          .extracting(a -> (FaultPoint) a.get()[0])
          .as("fault points crashed at with %s", strategy)
          .containsExactlyInAnyOrderElementsOf(all);
    }
    Method crashTest =
        FailureContract.class.getDeclaredMethod(
            "crashAtEveryFaultPointThenRetryEqualsCleanRun", FaultPoint.class, WriteStrategy.class);
    assertThat(crashTest.getAnnotation(MethodSource.class))
        .as("the crash test's source of cases")
        .isNotNull()
        .extracting(MethodSource::value)
        .isEqualTo(new String[] {"crashCases"});
  }

  @Test
  void crashBeforeCommitLeavesNoRowsOfTheWindow() {
    Pipeline p = pipeline(orders(), general());
    Destination d = fresh();
    CrashAt crash = new CrashAt(FaultPoint.BEFORE_COMMIT, "2024-03-01");
    assertThatThrownBy(() -> run(d, p, all(p), RunOptions.defaults("crashing"), crash, "p1"))
        .isInstanceOf(SimulatedCrash.class);
    assertThat(rows(d, "orders")).isEmpty();
    if (can(Limit.RECORDS_CLAIMS_IN_THE_LEDGER)) {
      assertThat(d.ledger().state("orders", "2024-03-01"))
          .get()
          .extracting(WindowState::status)
          .isEqualTo(WindowStatus.RUNNING);
    } else {
      assertThat(d.ledger().state("orders", "2024-03-01"))
          .as("nothing of the window is recorded")
          .isEmpty();
    }
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
      futures.add(
          pool.submit(
              () -> {
                start.await();
                return new Runner(d, services("p1").withOwner("p1"))
                    .run(p, all(p), new RunOptions(RunOptions.Reload.IF_CHANGED, 2, null, owner));
              }));
    }
    start.countDown();
    List<WindowOutcome> outcomes = new ArrayList<>();
    for (Future<RunReport> f : futures) {
      outcomes.addAll(f.get().outcomes());
    }
    pool.shutdown();
    assertThat(outcomes)
        .filteredOn(o -> o.result() == Result.FAILED)
        .extracting(WindowOutcome::message)
        .isEmpty();
    assertThat(outcomes)
        .filteredOn(o -> o.result() == Result.LOADED)
        .extracting(o -> o.window().id())
        .doesNotHaveDuplicates()
        .hasSize(all(p).size());
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
    FaultInjector stall =
        (point, window) -> {
          if (point == FaultPoint.AFTER_STAGING && takeover.isEmpty()) {
            expireLeases(d); // the zombie stalls past its lease ...
            Destination other = track(reopen(d, services("p2")));
            takeover.add(
                new Runner(other, services("p2"))
                    .run(
                        p,
                        List.of(day1),
                        RunOptions.defaults("takeover"))); // ... and is taken over
          }
        };
    RunReport zombie = run(d, p, List.of(day1), RunOptions.defaults("zombie"), stall, "p1");
    assertThat(takeover.get(0).outcomes().get(0).result()).isEqualTo(Result.LOADED);
    // its commit is refused; the window it was held out of is done by the runner that took it over
    assertThat(zombie.outcomes().get(0).result()).isEqualTo(Result.DONE_ELSEWHERE);
    assertThat(zombie.outcomes().get(0).message())
        .contains("taken over")
        .contains("then done by another runner (run takeover)");
    WindowState state = d.ledger().state("orders", "2024-03-01").orElseThrow();
    assertThat(state.status()).isEqualTo(WindowStatus.DONE);
    assertThat(state.runId()).isEqualTo("takeover");
    assertThat(rows(d, "orders"))
        .as("the rows of one load of the window")
        .isNotEmpty()
        .isEqualTo(day1Alone);
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
      // fencing needs a greater token, not the next one (a destination that keeps no claims cannot
      // count them)
      assertThat(later)
          .get()
          .extracting(Lease::token)
          .asInstanceOf(InstanceOfAssertFactories.LONG)
          .isGreaterThan(first.get().token());
      assertThatThrownBy(() -> d.ledger().fail(first.get(), "late"))
          .isInstanceOf(FencedException.class);
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
    FaultInjector linger =
        (point, window) -> {
          if (point == FaultPoint.AFTER_COMMIT) {
            try {
              Thread.sleep(ttl.toMillis()); // three renewals fall after the commit
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LoggerFactory.getLogger(Runner.class).warn("probe: warnings of the runner are captured");
      RunReport r =
          new Runner(d, services("p1").withLeaseTtl(ttl).withFaults(linger))
              .run(p, List.of(p.windows().window("2024-03-01")), RunOptions.defaults("linger"));
      assertThat(r.ok()).as("%s", r.outcomes()).isTrue();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("probe: warnings of the runner are captured")
        .doesNotContain("taken over");
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
    // the holder ended without finishing the window (its failure could not be recorded): its lease
    // has not expired
    assertThat(d.ledger().alive("p1/1")).isFalse();
    try (Presence next = d.ledger().enter("p1/2")) {
      assertThat(d.ledger().claim("orders", "2024-03-01", "p1/2", TTL))
          .get()
          .extracting(Lease::token)
          .asInstanceOf(InstanceOfAssertFactories.LONG)
          .isGreaterThan(first.get().token());
    }
  }
}
