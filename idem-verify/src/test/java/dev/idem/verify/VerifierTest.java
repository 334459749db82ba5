package dev.idem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableName;
import dev.idem.jdbc.write.TombstoneSql;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.verify.CheckResult.Verdict;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The verifier against real scratch destinations: a temporary DuckDB file and a scratch database on
 * an embedded PostgreSQL. A sound pipeline passes every check on both; a merge without an order
 * column fails the overlap check with the rows it got wrong; scratch databases are removed.
 */
class VerifierTest {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.parse("decimal(12,2)")),
          Column.of("ingested_at", DataType.TIMESTAMP));

  private static ListSource orders() {
    ListSource s = new ListSource(ORDERS);
    s.add(1L, "ada", new BigDecimal("10.00"), LocalDateTime.parse("2024-03-01T08:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), LocalDateTime.parse("2024-03-01T09:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), LocalDateTime.parse("2024-03-01T09:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), LocalDateTime.parse("2024-03-02T10:00:00"));
    s.add(1L, "ada", new BigDecimal("12.50"), LocalDateTime.parse("2024-03-03T11:00:00"));
    s.add(4L, "dee", null, LocalDateTime.parse("2024-03-03T12:00:00"));
    return s;
  }

  private static Pipeline merge(boolean withOrder) {
    Pipeline.Builder b =
        Pipeline.builder("orders")
            .source(orders())
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table("orders")
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.MERGE);
    return (withOrder ? b.orderBy("ingested_at") : b).build();
  }

  private static List<CheckResult> verify(Pipeline p, String url) throws Exception {
    List<Window> windows = p.source().windows(p.windows());
    return new Verifier(
            p,
            windows,
            s -> JdbcDestination.scratch(url, new Properties(), s),
            RunServices.defaults(),
            3)
        .verify();
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aSoundPipelinePassesEveryCheck(String kind) throws Exception {
    String url = kind.equals("duckdb") ? "jdbc:duckdb:" : EmbeddedPostgresServer.newDatabase();
    List<CheckResult> results = verify(merge(true), url);
    assertThat(results)
        .extracting(CheckResult::check)
        .contains(
            "clean",
            "rerun",
            "rerun-forced",
            "crash-after-claim",
            "crash-mid-staging",
            "crash-after-staging",
            "crash-before-commit",
            "crash-after-commit",
            "crash-between-windows",
            "overlap",
            "concurrent",
            "changed-input",
            "key",
            "fingerprint",
            "balanced");
    assertThat(results)
        .allSatisfy(r -> assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.PASS));
    if (kind.equals("postgres")) {
      assertThat(scratchDatabases(url)).as("scratch databases left behind").isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aMergeWithoutOrderFailsTheOverlapCheckNamingTheRows(String kind) throws Exception {
    String url = kind.equals("duckdb") ? "jdbc:duckdb:" : EmbeddedPostgresServer.newDatabase();
    List<CheckResult> results = verify(merge(false), url);
    CheckResult overlap =
        results.stream().filter(r -> r.check().equals("overlap")).findFirst().orElseThrow();
    assertThat(overlap.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(overlap.detail())
        .startsWith(
            "an earlier window loaded after later ones left another state: a newer row was"
                + " overwritten by an older one (declare order_by?): ")
        .contains(
            "table orders",
            "window 2024-03-01: 0 missing, 1 extra",
            "order_id=1|customer=ada|amount=10.00",
            "window 2024-03-03: 1 missing",
            "differ in _idem_window, amount, ingested_at");
    // the rest of the contract holds: the flaw is only in how versions are ordered
    assertThat(results)
        .filteredOn(r -> r.check().startsWith("crash-") || r.check().startsWith("rerun"))
        .allSatisfy(r -> assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.PASS));
  }

  @Test
  void theOverlapHintSaysWhatTheTargetLacks() {
    Target plain = new Target("t", null, KeySpec.columns("id"), WriteStrategy.MERGE, null, null);
    Target deletes =
        new Target(
            "t", null, KeySpec.columns("id"), WriteStrategy.MERGE, null, DeleteRule.flag("gone"));
    Target ordered =
        new Target(
            "t",
            null,
            KeySpec.columns("id"),
            WriteStrategy.MERGE,
            List.of("ts", "seq"),
            DeleteRule.flag("gone"));
    assertThat(Verifier.overlapHint(plain)).endsWith("(declare order_by?)");
    assertThat(Verifier.overlapHint(deletes))
        .endsWith("(declare order_by? without it, deletes are not remembered)");
    assertThat(Verifier.overlapHint(ordered))
        .contains("though order_by ts, seq is declared")
        .doesNotContain("declare order_by?");
  }

  @Test
  void theKeyCheckFindsTwoDifferentRecordsWithTheSameKeyAndVersion() throws Exception {
    ListSource s = orders();
    s.add(5L, "eve", new BigDecimal("1.00"), LocalDateTime.parse("2024-03-02T10:00:00"));
    s.add(5L, "eve", new BigDecimal("2.00"), LocalDateTime.parse("2024-03-02T10:00:00"));
    Pipeline p =
        Pipeline.builder("orders")
            .source(s)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table("orders")
            .key(KeySpec.columns("order_id"))
            .orderBy("ingested_at")
            .strategy(WriteStrategy.MERGE)
            .build();
    CheckResult key =
        verify(p, "jdbc:duckdb:").stream()
            .filter(r -> r.check().equals("key"))
            .findFirst()
            .orElseThrow();
    assertThat(key.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(key.detail())
        .contains("order_id=5 has different records", "with the same ingested_at");
  }

  /**
   * Day 1: orders 1 and 2. Day 2: order 1 deleted, order 9 (never seen) deleted. Day 3: order 9 at
   * a version older than its delete, which its tombstone keeps out.
   */
  private static Pipeline withDeletes() {
    Schema cdc =
        Schema.of(
            Column.of("order_id", DataType.INTEGER),
            Column.of("customer", DataType.STRING),
            Column.of("version", DataType.INTEGER),
            Column.of("ingested_at", DataType.TIMESTAMP),
            Column.of("op", DataType.STRING));
    ListSource s = new ListSource(cdc);
    s.add(1L, "ada", 1L, LocalDateTime.parse("2024-03-01T08:00:00"), "c");
    s.add(2L, "bob", 1L, LocalDateTime.parse("2024-03-01T09:00:00"), "c");
    s.add(1L, "ada", 2L, LocalDateTime.parse("2024-03-02T08:00:00"), "d");
    s.add(9L, "zed", 5L, LocalDateTime.parse("2024-03-02T09:00:00"), "d");
    s.add(9L, "zed", 3L, LocalDateTime.parse("2024-03-03T08:00:00"), "u");
    return Pipeline.builder("orders")
        .source(s)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .targetColumns(Schema.of(cdc.column(0), cdc.column(1), cdc.column(2), cdc.column(3)))
        .key(KeySpec.columns("order_id"))
        .orderBy("version")
        .deletes(DeleteRule.equalTo("op", "d"))
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aPipelineWithDeletesPassesEveryCheckItsTombstonesCompared(String kind) throws Exception {
    String url = kind.equals("duckdb") ? "jdbc:duckdb:" : EmbeddedPostgresServer.newDatabase();
    assertThat(verify(withDeletes(), url))
        .hasSizeGreaterThan(10)
        .allSatisfy(r -> assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.PASS));
  }

  /**
   * Two targets of the same rows whose tombstones differ have not converged (a later window would
   * load differently): a snapshot holds the tombstones, without the times they were recorded.
   */
  @Test
  void aSnapshotHoldsTheTombstonesSoALostOneIsADifference() throws Exception {
    Pipeline p = withDeletes();
    List<Window> windows = p.source().windows(p.windows());
    try (JdbcDestination a =
            JdbcDestination.scratch("jdbc:duckdb:", new Properties(), RunServices.defaults());
        JdbcDestination b =
            JdbcDestination.scratch("jdbc:duckdb:", new Properties(), RunServices.defaults())) {
      for (JdbcDestination d : List.of(a, b)) {
        assertThat(
                new Runner(d, RunServices.defaults())
                    .run(p, windows, RunOptions.defaults("r"))
                    .ok())
            .isTrue();
      }
      assertThat(Snapshot.of(a, p).ledger())
          .anySatisfy(l -> assertThat(l).startsWith("tombstone "));
      assertThat(Snapshot.of(a, p).differenceFrom(Snapshot.of(b, p), List.of("order_id")))
          .isEmpty();
      b.inTransaction(
          "lose a tombstone",
          c ->
              c.createStatement()
                  .executeUpdate(
                      "DELETE FROM "
                          + TombstoneSql.table(TableName.parse("orders")).sql()
                          + " WHERE order_id = 9"));
      assertThat(Snapshot.of(a, p).rows()).isEqualTo(Snapshot.of(b, p).rows());
      assertThat(Snapshot.of(b, p).differenceFrom(Snapshot.of(a, p), List.of("order_id")))
          .get(InstanceOfAssertFactories.STRING)
          .contains("ledger: missing [tombstone ", "order_id=9");
    }
  }

  /**
   * A source whose own fingerprint differs at every read passes every check that replays the
   * capture, and fails {@code fingerprint}: a real run would load every window every time.
   */
  @Test
  void aSourceFingerprintThatChangesBetweenReadsFailsTheFingerprintCheck() throws Exception {
    AtomicLong reads = new AtomicLong();
    ListSource s = orders().fingerprintedBy(w -> w.id() + "#" + reads.incrementAndGet());
    List<CheckResult> results = verify(merge(true).withSource(s), "jdbc:duckdb:");
    assertThat(results)
        .filteredOn(r -> r.check().equals("fingerprint"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
              assertThat(r.detail()).contains("differs between two reads in a row");
            });
    assertThat(results)
        .filteredOn(r -> !r.check().equals("fingerprint"))
        .allSatisfy(r -> assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.PASS));
    // a stable one passes
    ListSource stable = orders().fingerprintedBy(Window::id);
    assertThat(verify(merge(true).withSource(stable), "jdbc:duckdb:"))
        .filteredOn(r -> r.check().equals("fingerprint"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.verdict()).isEqualTo(Verdict.PASS);
              assertThat(r.detail()).contains("windows' fingerprints are the same taken twice");
            });
  }

  private static long scratchDatabases(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM pg_database WHERE datname LIKE 'idem\\_verify\\_%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
