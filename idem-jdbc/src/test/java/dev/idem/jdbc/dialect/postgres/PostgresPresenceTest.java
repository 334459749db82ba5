package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.context.RunServices;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeySpec;
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
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runner liveness on PostgreSQL, between separately opened destinations as between processes: a
 * runner's presence is a session-level advisory lock, so a lease is respected while its holder
 * lives (whatever its age) and taken over as soon as the holder is gone (whatever its expiry).
 */
class PostgresPresenceTest {
  private static final Schema EVENTS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));

  private static Pipeline pipeline() {
    ListSource s = new ListSource(EVENTS);
    for (int day = 1; day <= 2; day++) {
      for (int i = 0; i < 50; i++) {
        s.add(day * 100L + i, LocalDateTime.of(2024, 5, day, i % 24, 0));
      }
    }
    return Pipeline.builder("events")
        .source(s)
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .table("events")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  private static List<Window> windows(Pipeline p) {
    return ((ListSource) p.source()).windows(p.windows());
  }

  private static JdbcDestination open(String url, RunServices services) {
    return JdbcDestination.open(url, new Properties(), services, Duration.ZERO);
  }

  /**
   * Holds the runner at AFTER_CLAIM of one window until released: a live runner in the middle of a
   * load.
   */
  private static final class Hold implements FaultInjector {
    final String windowId;
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    Hold(String windowId) {
      this.windowId = windowId;
    }

    /** Runs the window on {@code destination} in the background, to be held here until released. */
    CompletableFuture<RunReport> start(JdbcDestination destination, Pipeline p, Window window) {
      return CompletableFuture.supplyAsync(
          () ->
              new Runner(destination, RunServices.defaults().withFaults(this))
                  .run(p, List.of(window), RunOptions.defaults("holder")));
    }

    @Override
    public void reach(FaultPoint point, Window window) {
      if (point == FaultPoint.AFTER_CLAIM && window.id().equals(windowId)) {
        reached.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void aLiveHolderIsWaitedForAndItsCommitCountsAsDone() throws Exception {
    Pipeline p = pipeline();
    List<Window> all = windows(p);
    Window first = all.get(0);
    String url = EmbeddedPostgresServer.newDatabase();
    Hold hold = new Hold(first.id());
    try (JdbcDestination a = open(url, RunServices.defaults().withFaults(hold));
        JdbcDestination b = open(url, RunServices.defaults())) {
      CompletableFuture<RunReport> holder = hold.start(a, p, first);
      assertThat(hold.reached.await(30, TimeUnit.SECONDS)).isTrue();
      String owner = b.ledger().state("events", first.id()).map(WindowState::owner).orElseThrow();
      assertThat(b.ledger().alive(owner))
          .as("a runner in the middle of a load, seen from another connection")
          .isTrue();

      CompletableFuture<RunReport> waiter =
          CompletableFuture.supplyAsync(
              () ->
                  new Runner(b, RunServices.defaults())
                      .run(
                          p,
                          all,
                          RunOptions.defaults("waiter").withHeldWait(Duration.ofSeconds(60))));
      // the waiter loads the other window, then waits for the held one
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  b.ledger().state("events", all.get(1).id()).map(WindowState::status).orElse(null)
                      == WindowStatus.DONE);
      assertThat(waiter).isNotDone();
      hold.release.countDown();

      assertThat(holder.get(30, TimeUnit.SECONDS).ok()).isTrue();
      RunReport waited = waiter.get(30, TimeUnit.SECONDS);
      // done by the holder: seen done when looked at again, or (if the commit lands between that
      // look and the claim) found unchanged
      assertThat(waited.outcomes().get(0).result()).isIn(Result.DONE_ELSEWHERE, Result.UNCHANGED);
      assertThat(waited.outcomes().get(1).result()).isEqualTo(Result.LOADED);
      assertThat(b.ledger().state("events", first.id()).orElseThrow().runId()).isEqualTo("holder");
      assertThat(waited.ok()).isTrue();
      assertThat(b.ledger().alive(owner)).as("the holder after its run").isFalse();
    } finally {
      hold.release.countDown();
    }
  }

  @Test
  void aHolderStillLoadingWhenTheRunEndsIsNotDone() throws Exception {
    Pipeline p = pipeline();
    List<Window> all = windows(p);
    String url = EmbeddedPostgresServer.newDatabase();
    Hold hold = new Hold(all.get(0).id());
    try (JdbcDestination a = open(url, RunServices.defaults().withFaults(hold));
        JdbcDestination b = open(url, RunServices.defaults())) {
      CompletableFuture<RunReport> holder = hold.start(a, p, all.get(0));
      assertThat(hold.reached.await(30, TimeUnit.SECONDS)).isTrue();
      RunReport run =
          new Runner(b, RunServices.defaults())
              .run(p, all, RunOptions.defaults("impatient").withHeldWait(Duration.ofMillis(300)));
      assertThat(run.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(Result.HELD, Result.LOADED);
      assertThat(run.ok()).isFalse();
      assertThat(run.partlyFailed()).isTrue();
      hold.release.countDown();
      assertThat(holder.get(30, TimeUnit.SECONDS).ok()).isTrue();
    } finally {
      hold.release.countDown();
    }
  }

  /**
   * A holder whose destination closed (its process ending cleanly) is gone at once, whatever its
   * lease's expiry. A killed process's case, where only the server notices, is covered with real
   * child processes by DoctorCommandTest and PostgresKillTest.
   */
  @Test
  void aLeaseWhoseHolderIsGoneIsTakenOverAtOnceWhateverItsExpiry() throws Exception {
    Pipeline p = pipeline();
    List<Window> all = windows(p);
    String url = EmbeddedPostgresServer.newDatabase();
    Hold hold = new Hold(all.get(0).id());
    JdbcDestination a = open(url, RunServices.defaults().withFaults(hold));
    CompletableFuture<RunReport> holder = hold.start(a, p, all.get(0));
    try (JdbcDestination b = open(url, RunServices.defaults())) {
      assertThat(hold.reached.await(30, TimeUnit.SECONDS)).isTrue();
      WindowState held = b.ledger().state("events", all.get(0).id()).orElseThrow();
      assertThat(held.leaseExpires()).isAfter(Instant.now().plus(Duration.ofMinutes(5)));
      a.close();
      assertThat(b.ledger().alive(held.owner())).isFalse();
      RunReport rerun =
          new Runner(b, RunServices.defaults()).run(p, all, RunOptions.defaults("rerun"));
      assertThat(rerun.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(Result.LOADED, Result.LOADED);
      assertThat(b.ledger().state("events", all.get(0).id()).orElseThrow().token())
          .isGreaterThan(held.token());
    } finally {
      hold.release.countDown();
      holder
          .handle((r, e) -> null)
          .get(60, TimeUnit.SECONDS); // the zombie is fenced out; its outcome does not matter here
    }
  }

  /**
   * The server ends the session holding a live runner's presence lock (as a restart or a dropped
   * idle connection would): the keeper takes the lock again within seconds, and the runner is alive
   * to others again while it is still in the middle of its window.
   */
  @Test
  void aLostPresenceLockIsTakenAgainWhileTheRunnerLives() throws Exception {
    Pipeline p = pipeline();
    List<Window> all = windows(p);
    String url = EmbeddedPostgresServer.newDatabase();
    Hold hold = new Hold(all.get(0).id());
    try (JdbcDestination a = open(url, RunServices.defaults().withFaults(hold));
        JdbcDestination b = open(url, RunServices.defaults())) {
      CompletableFuture<RunReport> holder = hold.start(a, p, all.get(0));
      assertThat(hold.reached.await(30, TimeUnit.SECONDS)).isTrue();
      String owner = b.ledger().state("events", all.get(0).id()).orElseThrow().owner();
      assertThat(b.ledger().alive(owner)).isTrue();
      long lost = holderPid(url);
      try (Connection admin = DriverManager.getConnection(url);
          Statement st = admin.createStatement()) {
        st.execute("SELECT pg_terminate_backend(" + lost + ")");
      }
      // the presence lock is taken again on a new session, the runner still mid-window
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> holderPid(url) != lost && holderPid(url) != 0 && b.ledger().alive(owner));
      assertThat(holder).as("the runner is still in its window").isNotDone();
      hold.release.countDown();
      assertThat(holder.get(30, TimeUnit.SECONDS).ok()).isTrue();
    } finally {
      hold.release.countDown();
    }
  }

  /**
   * The session holding presence locks in this database (named so by idem); 0 when there is none.
   */
  private static long holderPid(String url) throws Exception {
    try (Connection admin = DriverManager.getConnection(url);
        Statement st = admin.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = 'idem presence locks'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void presenceEndsWhenTheRunnerLeavesAndNotBefore() {
    String url = EmbeddedPostgresServer.newDatabase();
    try (JdbcDestination a = open(url, RunServices.defaults());
        JdbcDestination b = open(url, RunServices.defaults())) {
      a.prepare(pipeline());
      String owner = RunServices.processOwner() + "/test.1";
      assertThat(b.ledger().alive(owner)).as("never entered").isFalse();
      try (Presence presence = a.ledger().enter(owner)) {
        assertThat(b.ledger().alive(owner)).as("entered, seen from another connection").isTrue();
        assertThat(a.ledger().alive(owner)).as("entered, seen from its own destination").isTrue();
        assertThat(b.ledger().alive(owner + "x")).as("another owner").isFalse();
      }
      assertThat(b.ledger().alive(owner)).as("left").isFalse();
      assertThat(a.ledger().alive(owner)).as("left, seen from its own destination").isFalse();
    }
  }
}
