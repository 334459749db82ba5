package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.context.RunServices;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.jdbc.dialect.Dialect;
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
import java.io.EOFException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL-specific behaviour: row versions, concurrency across processes' worth of runners,
 * zombies, injection.
 */
class PostgresDestinationTest {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("ingested_at", DataType.TIMESTAMP));

  private static ListSource twentyDays() {
    ListSource s = new ListSource(ORDERS);
    for (int day = 1; day <= 20; day++) {
      for (int i = 0; i < 50; i++) {
        long id =
            (day * 37L + i * 11L) % 600; // keys recur across days: later days update earlier rows
        s.add(
            id,
            "c" + i,
            BigDecimal.valueOf(day * 100 + i, 2),
            LocalDateTime.of(2024, 3, day, i % 24, i % 60));
      }
    }
    return s;
  }

  private static Pipeline merge(ListSource source) {
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .key(KeySpec.columns("order_id"))
        .orderBy("ingested_at")
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  private static JdbcDestination open(String url, RunServices services) {
    return JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5));
  }

  private static long queryLong(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Rows inserted, updated or deleted in the table by every session so far. Statistics reach the
   * shared counters asynchronously (when a backend ends or at most every second), so this waits
   * until two reads a second apart agree.
   */
  private static long settledWrites(String url) throws Exception {
    String sql =
        "SELECT n_tup_upd + n_tup_del + n_tup_ins FROM pg_stat_user_tables WHERE relname = 'orders'";
    long last = -1;
    for (int i = 0; i < 10; i++) {
      long now = queryLong(url, sql);
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(1100);
    }
    return last;
  }

  @Test
  void forcedMergeOfUnchangedInputRewritesNoRow() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Pipeline p = merge(twentyDays());
    List<Window> windows = p.source().windows(p.windows());
    try (JdbcDestination d = open(url, RunServices.defaults())) {
      new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("first"));
      String xmins =
          "SELECT string_agg(order_id || ':' || xmin::text, ',' ORDER BY order_id) FROM orders";
      String before;
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(xmins)) {
        rs.next();
        before = rs.getString(1);
      }
      long updatesBefore = settledWrites(url);

      RunReport forced =
          new Runner(d, RunServices.defaults())
              .run(p, windows, RunOptions.defaults("forced").forced());
      assertThat(forced.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.LOADED);
      assertThat(forced.outcomes())
          .allSatisfy(o -> assertThat(o.counts().updated() + o.counts().inserted()).isZero());
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(xmins)) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(before);
      }
      assertThat(settledWrites(url)).isEqualTo(updatesBefore);
    }
  }

  @Test
  void fourRunnersOnTwentyWindowsLoadEachOnceAndEachCommitsSome() throws Exception {
    String cleanUrl = EmbeddedPostgresServer.newDatabase();
    Pipeline p = merge(twentyDays());
    List<Window> windows = p.source().windows(p.windows());
    assertThat(windows).hasSize(20);
    List<String> clean;
    try (JdbcDestination d = open(cleanUrl, RunServices.defaults())) {
      new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("clean"));
      clean = TableSnapshot.rows(d, "orders");
    }
    String url = EmbeddedPostgresServer.newDatabase();
    try (JdbcDestination setup = open(url, RunServices.defaults())) {
      setup.prepare(p);
    }
    // four runners as four processes would be: each its own owner identity and connections
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<RunReport>> reports = new ArrayList<>();
    List<JdbcDestination> destinations = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      RunServices services =
          RunServices.defaults()
              .withOwner("host:" + (1000 + r) + ":runner")
              .withRetry(new RetryPolicy(10, Duration.ofMillis(20), Duration.ofMillis(500)));
      JdbcDestination d = open(url, services);
      destinations.add(d);
      reports.add(
          pool.submit(
              () -> {
                start.await();
                return new Runner(d, services).run(p, windows, RunOptions.defaults("r"));
              }));
    }
    start.countDown();
    List<RunReport> all = new ArrayList<>();
    for (Future<RunReport> f : reports) {
      all.add(f.get());
    }
    pool.shutdown();
    List<String> loaded = new ArrayList<>();
    for (RunReport report : all) {
      assertThat(report.outcomes())
          .filteredOn(o -> o.result() == WindowOutcome.Result.FAILED)
          .extracting(WindowOutcome::message)
          .isEmpty();
      List<String> mine =
          report.outcomes().stream()
              .filter(o -> o.result() == WindowOutcome.Result.LOADED)
              .map(o -> o.window().id())
              .toList();
      assertThat(mine).as("each runner commits at least one window").isNotEmpty();
      loaded.addAll(mine);
    }
    assertThat(loaded).doesNotHaveDuplicates().hasSize(20);
    try (JdbcDestination d = destinations.get(0)) {
      assertThat(TableSnapshot.rows(d, "orders")).isEqualTo(clean);
    }
    destinations.forEach(JdbcDestination::close);
  }

  @Test
  void aZombieThatPassedTheFencingCheckBeforeTheTakeoverCannotCommit() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Pipeline p = merge(twentyDays());
    Window day1 = p.windows().window("2024-03-01");
    Duration ttl = Duration.ofSeconds(2); // idle_in_transaction_session_timeout = 1 s
    // a stalled process: no thread of it runs, so nothing renews its lease either
    RunServices zombieServices =
        RunServices.defaults()
            .withOwner("zombie-host:1:z")
            .withLeaseTtl(ttl)
            .withRenewal(RunServices.Renewal.OFF)
            .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)));
    RunServices otherServices =
        RunServices.defaults().withOwner("other-host:2:o").withLeaseTtl(ttl);
    List<RunReport> takeover = new ArrayList<>();
    FaultInjector stallBeforeCommit =
        (point, window) -> {
          if (point == FaultPoint.BEFORE_COMMIT && takeover.isEmpty()) {
            // The zombie's fencing UPDATE is done and it holds the ledger row's lock; now it stalls
            // past its lease. The server ends its idle transaction; another runner takes the
            // window.
            try (JdbcDestination other = open(url, otherServices)) {
              TableSnapshot.execute(
                  other,
                  "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
              takeover.add(
                  new Runner(other, otherServices)
                      .run(p, List.of(day1), RunOptions.defaults("takeover")));
            }
          }
        };
    try (JdbcDestination zombie = open(url, zombieServices.withFaults(stallBeforeCommit))) {
      RunReport z =
          new Runner(zombie, zombieServices.withFaults(stallBeforeCommit))
              .run(p, List.of(day1), RunOptions.defaults("zombie"));
      assertThat(takeover.get(0).outcomes().get(0).result()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(z.outcomes().get(0).result()).isNotEqualTo(WindowOutcome.Result.LOADED);
      WindowState state = zombie.ledger().state("orders", "2024-03-01").orElseThrow();
      assertThat(state.status()).isEqualTo(WindowStatus.DONE);
      assertThat(state.runId()).isEqualTo("takeover");
      assertThat(TableSnapshot.rows(zombie, "orders"))
          .allSatisfy(r -> assertThat(r).contains("_idem_window=2024-03-01"));
    }
  }

  @Test
  void sqlStatesAreClassified() {
    Dialect pg = new PostgresDialect();
    for (String transientState :
        List.of("08006", "08003", "40001", "40P01", "55P03", "57P01", "57P03", "53300")) {
      assertThat(pg.classify(new SQLException("x", transientState)))
          .as(transientState)
          .isEqualTo(Dialect.ErrorKind.TRANSIENT);
    }
    for (String dataState : List.of("22P02", "23502", "22003", "42601", "42P01")) {
      assertThat(pg.classify(new SQLException("x", dataState)))
          .as(dataState)
          .isEqualTo(Dialect.ErrorKind.PERMANENT);
    }
    assertThat(pg.classify(new SQLException("io", null, new EOFException())))
        .isEqualTo(Dialect.ErrorKind.TRANSIENT);
    assertThat(pg.commitOutcomeUnknown(new SQLException("lost", "08006"))).isTrue();
    assertThat(pg.commitOutcomeUnknown(new SQLException("serialization", "40001"))).isFalse();
  }

  @Test
  void anUnknownCommitIsResolvedByTransactionId() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Dialect pg = new PostgresDialect();
    try (Connection c = DriverManager.getConnection(url);
        Connection fresh = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      c.createStatement().execute("CREATE TABLE t (x int)");
      String committed = pg.writes().transactionId(c).orElseThrow();
      c.commit();
      c.createStatement().execute("INSERT INTO t VALUES (1)");
      String aborted = pg.writes().transactionId(c).orElseThrow();
      c.rollback();
      c.createStatement().execute("INSERT INTO t VALUES (2)");
      String open = pg.writes().transactionId(c).orElseThrow();
      assertThat(pg.writes().committed(fresh, committed)).contains(true);
      assertThat(pg.writes().committed(fresh, aborted)).contains(false);
      assertThat(pg.writes().committed(fresh, open)).isEmpty();
      // a transaction the server has no trace of after a crash (its WAL was never flushed)
      long future = Long.parseLong(open) + 1_000_000;
      assertThat(pg.writes().committed(fresh, Long.toString(future))).contains(false);
      c.rollback();
    }
  }

  @Test
  void hostileValuesRoundTripAndNulInTextIsAClearError() {
    String url = EmbeddedPostgresServer.newDatabase();
    Schema schema =
        Schema.of(
            Column.of("id", DataType.INTEGER),
            Column.of("s", DataType.STRING),
            Column.of("j", DataType.JSON));
    ListSource source = new ListSource(schema);
    String[] hostile = {
      "it's",
      "a\"b",
      "x'); DROP TABLE orders; --",
      "back\\slash \\N",
      "ünïcødé ı İ 🦆",
      "line\nbreak\r\n",
      "tab\there",
      "",
      ",,,",
      "\\."
    };
    for (int i = 0; i < hostile.length; i++) {
      source.add((long) i, hostile[i], "{\"k\": \"" + i + "\"}");
    }
    source.add(99L, null, null);
    Pipeline p =
        Pipeline.builder("hostile")
            .source(source)
            .windows(WindowSpec.full())
            .table("weird \"table\"; --")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d = open(url, RunServices.defaults())) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, List.of(Window.full()), RunOptions.defaults("r"));
      assertThat(r.ok()).as("%s", r.outcomes()).isTrue();
      List<String> rows = TableSnapshot.rows(d, "weird \"table\"; --");
      assertThat(rows)
          .hasSize(hostile.length + 1)
          .contains("id=99|s=null|j=null|_idem_window=full");
      for (int i = 0; i < hostile.length; i++) {
        assertThat(rows)
            .contains(
                "id=" + i + "|s=" + hostile[i] + "|j={\"k\": \"" + i + "\"}|_idem_window=full");
      }

      ListSource nul = new ListSource(schema).add(1L, "a\0b", null);
      Pipeline withNul =
          Pipeline.builder("nul")
              .source(nul)
              .windows(WindowSpec.full())
              .table("nul")
              .key("id")
              .strategy(WriteStrategy.APPEND)
              .build();
      WindowOutcome failed =
          new Runner(d, RunServices.defaults())
              .run(withNul, List.of(Window.full()), RunOptions.defaults("n"))
              .outcomes()
              .get(0);
      assertThat(failed.result()).isEqualTo(WindowOutcome.Result.FAILED);
      assertThat(failed.message()).contains("NUL character").doesNotContain("\n");
    }
  }

  @Test
  void stagingTextIsQuotedSoEmptyStringsStayDistinctFromNull() {
    StringBuilder sb = new StringBuilder();
    CopyStager.appendQuoted(sb, "say \"hi\", ok");
    assertThat(sb).hasToString("\"say \"\"hi\"\", ok\"");
    assertThatThrownBy(() -> CopyStager.appendQuoted(new StringBuilder(), "a\0"))
        .isInstanceOf(DataException.class);
  }
}
