package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.VersionModel.Load;
import dev.idem.jdbc.VersionModel.Race;
import dev.idem.jdbc.VersionModel.Scenario;
import dev.idem.jdbc.VersionModel.Step;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The reference model on a real database: random day windows of upserts and deletes over a few
 * keys, with few order values (ties are common, NULLs included), loaded in a random order, with
 * forced re-runs and two runners loading two windows at the same time, always leave the table
 * {@link VersionModel} expects. A subclass gives the database (one per class); each try has a table
 * and pipeline of its own. The property method lives in the subclass, so that each database says
 * its own try count.
 */
public abstract class VersionModelSuite {
  private static final AtomicInteger TRIES = new AtomicInteger();
  private JdbcDestination destination;
  private TwoRunners runners;

  /** A destination on a database of this class's own, empty or holding only earlier tries. */
  protected abstract JdbcDestination open();

  @BeforeProperty
  void openDatabase() {
    destination = open();
    runners = new TwoRunners(destination);
  }

  @AfterProperty
  void closeDatabase() {
    runners.close();
    destination.close();
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return VersionModel.scenarios();
  }

  @Provide
  Arbitrary<Scenario> upsertScenarios() {
    return VersionModel.upsertScenarios();
  }

  /** Runs the scenario's steps, then compares the table with the model. */
  protected void check(Scenario scenario) {
    String name = "model_" + TRIES.incrementAndGet();
    Pipeline p = VersionModel.pipeline(name, scenario.windows());
    destination.prepare(p); // once, before two runners may race to create the table
    Set<Integer> loaded = new TreeSet<>();
    List<String> log = new ArrayList<>();
    for (Step step : scenario.steps()) {
      List<RunReport> reports =
          step instanceof Race race ? race(p, scenario, race) : List.of(load(p, scenario, step));
      for (RunReport r : reports) {
        r.outcomes().forEach(o -> log.add(describe(o)));
        assertThat(r.ok()).as("a step failed: %s", log).isTrue();
      }
      if (step instanceof Race race) {
        loaded.add(race.first().window());
        loaded.add(race.second().window());
      } else {
        loaded.add(((Load) step).window());
      }
    }
    assertThat(destination.tableRows(VersionModel.projection(name)))
        .as("the table after %s", log)
        .isEqualTo(VersionModel.expected(scenario, loaded));
  }

  private RunReport load(Pipeline p, Scenario scenario, Step step) {
    Load l = (Load) step;
    return TwoRunners.join(
        runners.start(
            1,
            p,
            window(p, scenario, l),
            TwoRunners.options("one", l.force()),
            FaultInjector.NONE));
  }

  /**
   * Both runners stage their window, and wait there until the other has staged too (or ended
   * without loading, its window being unchanged): then both apply and commit at once.
   */
  private List<RunReport> race(Pipeline p, Scenario scenario, Race race) {
    CountDownLatch staged = new CountDownLatch(2);
    Meeting first = new Meeting(staged);
    Meeting second = new Meeting(staged);
    Future<RunReport> a =
        runners.start(
            1,
            p,
            window(p, scenario, race.first()),
            TwoRunners.options("race-1", race.first().force()),
            first,
            first::arrive);
    Future<RunReport> b =
        runners.start(
            2,
            p,
            window(p, scenario, race.second()),
            TwoRunners.options("race-2", race.second().force()),
            second,
            second::arrive);
    return List.of(TwoRunners.join(a), TwoRunners.join(b));
  }

  private static Window window(Pipeline p, Scenario scenario, Load load) {
    return p.windows().window(scenario.windows().get(load.window()).id());
  }

  private static String describe(WindowOutcome o) {
    return o.window().id()
        + " "
        + o.result()
        + " +"
        + o.counts().inserted()
        + " ~"
        + o.counts().updated()
        + " -"
        + o.counts().deleted()
        + (o.result().done() ? "" : " (" + o.message() + ")");
  }

  /** One runner's side of a meeting at {@link FaultPoint#AFTER_STAGING}. */
  private static final class Meeting implements FaultInjector {
    private final CountDownLatch staged;
    private final AtomicBoolean arrived = new AtomicBoolean();

    Meeting(CountDownLatch staged) {
      this.staged = staged;
    }

    void arrive() {
      if (arrived.compareAndSet(false, true)) {
        staged.countDown();
      }
    }

    @Override
    public void reach(FaultPoint point, Window window) {
      if (point == FaultPoint.AFTER_STAGING) {
        arrive();
        TwoRunners.await(staged, "the other runner to stage its window");
      }
    }
  }
}
