package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.IdemException;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.jdbc.dialect.postgres.FaultProxy.Fault;
import dev.idem.jdbc.dialect.postgres.FaultProxy.Plan;
import dev.idem.key.KeySpec;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A TCP fault proxy between idem and PostgreSQL cuts connections at random byte offsets (both
 * directions: mid-COPY, mid-statement, mid-result), stalls them past the driver's 2 s socket
 * timeout, and drops COMMIT replies after the server committed. Every trial must end equal to a
 * clean run after idem's own retries, or with a clear one-line error and nothing partial committed,
 * equal to a clean run once a scheduler re-runs it. A window whose COMMIT reply was dropped must be
 * resolved from its transaction id, not written twice. Trials: {@code -Didem.netfault.trials=N}
 * (default 50), seed {@code -Didem.netfault.seed=S}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresNetworkFaultTest {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("ingested_at", DataType.TIMESTAMP));
  private static final int DAYS = 4;

  private FaultProxy proxy;
  private Pipeline pipeline;
  private List<Window> windows;
  private List<String> clean;

  @BeforeAll
  void startProxyAndCleanRun() throws Exception {
    String direct = EmbeddedPostgresServer.newDatabase();
    int port = Integer.parseInt(direct.replaceAll(".*://localhost:(\\d+)/.*", "$1"));
    proxy = new FaultProxy(port, Duration.ofMillis(2500));
    ListSource s = new ListSource(ORDERS);
    for (int day = 1; day <= DAYS; day++) {
      for (int i = 0; i < 400; i++) {
        long id = (day * 131L + i * 7L) % 1000; // keys recur across days
        s.add(
            id,
            "c'" + i + ";\\",
            BigDecimal.valueOf(day * 1000 + i, 2),
            LocalDateTime.of(2024, 3, day, i % 24, i % 60));
      }
    }
    pipeline =
        Pipeline.builder("orders")
            .source(s)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table("orders")
            .key(KeySpec.columns("order_id"))
            .orderBy("ingested_at")
            .strategy(WriteStrategy.MERGE)
            .build();
    windows = s.windows(pipeline.windows());
    try (JdbcDestination d =
        JdbcDestination.open(direct, new Properties(), services("clean"), Duration.ZERO)) {
      assertThat(
              new Runner(d, services("clean"))
                  .run(pipeline, windows, RunOptions.defaults("clean"))
                  .ok())
          .isTrue();
      clean = TableSnapshot.rows(d, "orders");
    }
    assertThat(clean).hasSizeGreaterThan(500);
  }

  @AfterAll
  void stopProxy() throws Exception {
    proxy.close();
  }

  private static RunServices services(String owner) {
    return RunServices.defaults()
        .withOwner(owner)
        .withRetry(new RetryPolicy(8, Duration.ofMillis(20), Duration.ofMillis(500)));
  }

  @Test
  void everyNetworkFaultEndsEqualToACleanRunOrWithAClearErrorAndNothingPartial() throws Exception {
    int trials = Integer.getInteger("idem.netfault.trials", 50);
    long seed = Long.getLong("idem.netfault.seed", 20261123L);
    Random random = new Random(seed);
    Fault[] faults = {
      Fault.CUT_TO_SERVER,
      Fault.CUT_TO_CLIENT,
      Fault.STALL,
      Fault.DROP_COMMIT_REPLY,
      Fault.DROP_WINDOW_COMMIT_REPLY
    };
    Map<Fault, Integer> fired = new EnumMap<>(Fault.class);
    int endedWithError = 0;
    long resolvedCommitted = 0;
    long resolvedAborted = 0;
    for (int trial = 0; trial < trials; trial++) {
      // stalls cost seconds each: one trial in ten
      Fault fault = trial % 10 == 9 ? Fault.STALL : faults[random.nextInt(faults.length)];
      if (fault == Fault.STALL && trial % 10 != 9) {
        fault = Fault.CUT_TO_SERVER;
      }
      Plan plan =
          new Plan(
              fault,
              random.nextInt(fault == Fault.CUT_TO_CLIENT ? 12_000 : 80_000),
              random.nextInt(fault == Fault.DROP_WINDOW_COMMIT_REPLY ? DAYS : 12));
      String direct = EmbeddedPostgresServer.newDatabase();
      String proxied =
          direct.replaceFirst("localhost:\\d+", "localhost:" + proxy.port())
              + "&socketTimeout=2&connectTimeout=2";
      String what = "trial " + trial + " " + plan;
      RunReport report = null;
      String error = null;
      proxy.arm(plan);
      try (JdbcDestination d =
          JdbcDestination.open(proxied, new Properties(), services("t" + trial), Duration.ZERO)) {
        report =
            new Runner(d, services("t" + trial))
                .run(pipeline, windows, RunOptions.defaults("t" + trial));
        resolvedCommitted += d.unknownCommitsResolved(true);
        resolvedAborted += d.unknownCommitsResolved(false);
        if (fault == Fault.DROP_WINDOW_COMMIT_REPLY
            && proxy.fired()
            && d.unknownCommitsResolved(true) > 0) {
          // the COMMIT happened and its reply was lost: resolved as committed, so the window was
          // not attempted again
          assertThat(report.outcomes())
              .as(what)
              .filteredOn(o -> o.result() == WindowOutcome.Result.LOADED)
              .extracting(WindowOutcome::attempts)
              .containsOnly(1);
        }
      } catch (IdemException e) {
        error = e.getMessage();
      }
      boolean firedNow = proxy.fired();
      proxy.arm(Plan.NONE);
      if (firedNow) {
        fired.merge(fault, 1, Integer::sum);
      }
      try (JdbcDestination d =
          JdbcDestination.open(direct, new Properties(), services("check"), Duration.ZERO)) {
        if (report == null || !report.ok()) {
          endedWithError++;
          String message =
              error != null
                  ? error
                  : report.outcomes().stream()
                      .filter(o -> o.result() == WindowOutcome.Result.FAILED)
                      .map(WindowOutcome::message)
                      .findFirst()
                      .orElse("");
          assertThat(message).as(what).isNotBlank().doesNotContain("\n");
          System.out.println(what + " ended with: " + message);
          assertNothingPartial(d, what);
          // the scheduler runs it again, without faults
          RunReport rerun =
              new Runner(d, services("rerun" + trial))
                  .run(pipeline, windows, RunOptions.defaults("rerun"));
          assertThat(rerun.ok()).as("%s rerun: %s", what, rerun.outcomes()).isTrue();
        }
        assertThat(TableSnapshot.rows(d, "orders")).as(what).isEqualTo(clean);
        List<WindowState> states = d.ledger().states("orders");
        assertThat(states)
            .as(what)
            .hasSize(DAYS)
            .allSatisfy(
                s -> {
                  assertThat(s.status()).isEqualTo(WindowStatus.DONE);
                  assertThat(s.counts().balanced())
                      .as("%s window %s %s", what, s.windowId(), s.counts())
                      .isTrue();
                });
      }
    }
    System.out.printf(
        "PostgresNetworkFaultTest seed %d, %d trials: faults fired %s; %d ended with an error, then equal after a re-run;"
            + " unknown COMMITs resolved by transaction id: %d committed, %d aborted%n",
        seed, trials, fired, endedWithError, resolvedCommitted, resolvedAborted);
    if (trials >= 50) {
      assertThat(fired.values().stream().mapToInt(Integer::intValue).sum())
          .as("faults that fired")
          .isGreaterThanOrEqualTo(trials * 3 / 4);
      assertThat(resolvedCommitted)
          .as("window COMMITs whose reply was dropped, resolved by transaction id")
          .isPositive();
    }
  }

  /** Every window is either done with its rows, or has none in the target. */
  private void assertNothingPartial(JdbcDestination d, String what) {
    List<String> tables =
        d.tableRows(
            "(SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'orders')");
    if (tables.isEmpty()) {
      return;
    }
    for (Window w : windows) {
      boolean done =
          d.ledger()
              .state("orders", w.id())
              .map(s -> s.status() == WindowStatus.DONE)
              .orElse(false);
      long rows =
          d.tableRows("(SELECT 1 FROM orders WHERE _idem_window = '" + w.id() + "')").size();
      if (!done) {
        assertThat(rows).as("%s: window %s is not done but has rows", what, w.id()).isZero();
      }
    }
  }
}
