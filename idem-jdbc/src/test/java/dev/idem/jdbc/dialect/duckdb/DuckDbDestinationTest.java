package dev.idem.jdbc.dialect.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.context.RunServices;
import dev.idem.destination.FencedException;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.LedgerSchemaTestAccess;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.key.KeyEncoding;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
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
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** DuckDB-specific behaviour beyond the shared contract. */
class DuckDbDestinationTest {
  @TempDir Path dir;

  private JdbcDestination open(String name) {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve(name),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(2));
  }

  private static RunReport run(
      JdbcDestination d, Pipeline p, List<Window> windows, RunOptions options) {
    return new Runner(d, RunServices.defaults()).run(p, windows, options);
  }

  @Test
  void replaceTableReadersSeeOnlyTheWholeOldOrTheWholeNewTableAndViewsAndIndexesSurvive()
      throws Exception {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER), Column.of("v", DataType.INTEGER));
    ListSource source = new ListSource(schema);
    Pipeline p =
        Pipeline.builder("snap")
            .source(source)
            .windows(WindowSpec.full())
            .table("snap")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.REPLACE_TABLE)
            .build();
    JdbcDestination d = open("replace.duckdb");
    try (d) {
      // version k of the table: 1000 + 10k rows, every v = k, so (count, sum) identifies a whole
      // version
      Set<String> valid = ConcurrentHashMap.newKeySet();
      List<List<Object[]>> versions = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        List<Object[]> rows = new ArrayList<>();
        int n = 1000 + 10 * k;
        for (long i = 0; i < n; i++) {
          rows.add(new Object[] {i, (long) k});
        }
        versions.add(rows);
        valid.add(n + ":" + ((long) n * k));
      }
      source.replaceAll(versions.get(0));
      assertThat(run(d, p, List.of(Window.full()), RunOptions.defaults("v0")).ok()).isTrue();
      ensureView(d);
      Set<String> seen = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      List<Throwable> readerErrors = new ArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                // a second connection of this process: DuckDB shares the open database instance
                // within a process
                try (Connection c =
                    DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("replace.duckdb"))) {
                  while (!stop.get()) {
                    try (Statement s = c.createStatement();
                        ResultSet rs =
                            s.executeQuery("SELECT count(*), coalesce(sum(v), 0) FROM snap_view")) {
                      rs.next();
                      seen.add(rs.getLong(1) + ":" + rs.getLong(2));
                    }
                  }
                } catch (Throwable t) {
                  readerErrors.add(t);
                }
              });
      reader.start();
      for (int k = 1; k < 20; k++) {
        source.replaceAll(versions.get(k));
        RunReport r = run(d, p, List.of(Window.full()), RunOptions.defaults("v" + k));
        assertThat(r.outcomes().get(0).result()).isEqualTo(WindowOutcome.Result.LOADED);
      }
      stop.set(true);
      reader.join();
      assertThat(readerErrors).isEmpty();
      assertThat(seen).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(valid).contains(s));
      assertThat(TableSnapshot.rows(d, "snap")).hasSize(1000 + 190);
      assertThat(TableSnapshot.rows(d, "snap_view")).hasSize(1000 + 190);
      List<String> indexes =
          TableSnapshot.rows(
              d, "(SELECT index_name FROM duckdb_indexes() WHERE table_name = 'snap')");
      assertThat(indexes)
          .hasSize(
              1); // the key; DuckDB leaves _idem_window unindexed (see DuckDbDialect.indexLineage)
    }
  }

  private static void ensureView(JdbcDestination d) {
    TableSnapshot.execute(d, "CREATE OR REPLACE VIEW snap_view AS SELECT id, v FROM snap");
  }

  @Test
  void everyTypeAndHostileValuesRoundTrip() {
    Schema schema =
        Schema.of(
            Column.of("id", DataType.INTEGER),
            Column.of("s", DataType.STRING),
            Column.of("d", DataType.decimal(18, 4)),
            Column.of("b", DataType.BOOLEAN),
            Column.of("day", DataType.DATE),
            Column.of("ts", DataType.TIMESTAMP),
            Column.of("tz", DataType.TIMESTAMPTZ),
            Column.of("j", DataType.JSON));
    ListSource source = new ListSource(schema);
    String[] hostile = {
      "it's",
      "a\"b",
      "x; DROP TABLE t; --",
      "back\\slash",
      "ünïcødé ı İ 🦆",
      "line\nbreak",
      "tab\there",
      ""
    };
    for (int i = 0; i < hostile.length; i++) {
      source.add(
          (long) i,
          hostile[i],
          new BigDecimal("-12345.6789"),
          i % 2 == 0,
          LocalDate.of(2024, 2, 29),
          LocalDateTime.parse("2024-03-10T02:30:00.123456"),
          Instant.parse("2024-03-10T07:30:00Z"),
          "{\"k\": [1, \"v\"]}");
    }
    Pipeline p =
        Pipeline.builder("types")
            .source(source)
            .windows(WindowSpec.full())
            .table("types")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d = open("types.duckdb")) {
      assertThat(run(d, p, List.of(Window.full()), RunOptions.defaults("r")).ok()).isTrue();
      List<String> rows = TableSnapshot.rows(d, "types");
      assertThat(rows).hasSize(hostile.length);
      for (String h : hostile) {
        assertThat(rows).anySatisfy(r -> assertThat(r).contains("|s=" + h + "|"));
      }
      assertThat(rows.get(0))
          .contains("d=-12345.6789")
          .contains("day=2024-02-29")
          .contains("ts=2024-03-10 02:30:00.123456")
          .contains("_idem_window=full");
      assertThat(
              run(d, p, List.of(Window.full()), RunOptions.defaults("r2"))
                  .outcomes()
                  .get(0)
                  .result())
          .isEqualTo(WindowOutcome.Result.UNCHANGED);
    }
  }

  @Test
  void hashKeysAreTheSha256OfTheCanonicalEncoding() {
    Schema schema =
        Schema.of(
            Column.of("email", DataType.STRING),
            Column.of("day", DataType.DATE),
            Column.of("n", DataType.INTEGER));
    ListSource source =
        new ListSource(schema)
            .add("a@x.org", LocalDate.of(2024, 3, 1), 1L)
            .add("a@x.org", LocalDate.of(2024, 3, 1), 2L)
            .add("b@x.org", LocalDate.of(2024, 3, 1), 3L);
    Pipeline p =
        Pipeline.builder("hashed")
            .source(source)
            .windows(WindowSpec.day("day", ZoneOffset.UTC))
            .table("hashed")
            .key(KeySpec.hash("email", "day"))
            .strategy(WriteStrategy.APPEND)
            .build();
    try (JdbcDestination d = open("hash.duckdb")) {
      RunReport r = run(d, p, source.windows(p.windows()), RunOptions.defaults("r"));
      assertThat(r.outcomes().get(0).counts().folded()).isEqualTo(1);
      List<String> rows = TableSnapshot.rows(d, "hashed");
      assertThat(rows)
          .hasSize(2)
          .anySatisfy(
              row ->
                  assertThat(row)
                      .contains(
                          "_idem_key=" + KeyEncoding.sha256Hex("a@x.org", LocalDate.of(2024, 3, 1)))
                      .contains("n=2"));
    }
  }

  @Test
  void sqlTransformsRunInTheEngineOverTheStagedWindow() {
    Schema in =
        Schema.of(Column.of("day", DataType.DATE), Column.of("amount", DataType.decimal(12, 2)));
    ListSource source =
        new ListSource(in)
            .add(LocalDate.of(2024, 3, 1), new BigDecimal("1.50"))
            .add(LocalDate.of(2024, 3, 1), new BigDecimal("2.25"))
            .add(LocalDate.of(2024, 3, 2), new BigDecimal("4.00"));
    Pipeline p =
        Pipeline.builder("daily")
            .source(source)
            .windows(WindowSpec.day("day", ZoneOffset.UTC))
            .transform(
                "SELECT day, count(*) AS orders, sum(amount) AS revenue FROM staged GROUP BY day")
            .targetColumns(
                Schema.of(
                    Column.of("day", DataType.DATE),
                    Column.of("orders", DataType.INTEGER),
                    Column.of("revenue", DataType.decimal(18, 2))))
            .table("daily")
            .key(KeySpec.columns("day"))
            .strategy(WriteStrategy.REPLACE_WINDOW)
            .build();
    try (JdbcDestination d = open("daily.duckdb")) {
      RunReport r = run(d, p, source.windows(p.windows()), RunOptions.defaults("r"));
      assertThat(r.ok()).isTrue();
      assertThat(r.outcomes().get(0).counts().reshaped()).isEqualTo(1);
      assertThat(r.outcomes().get(0).counts().balanced()).isTrue();
      assertThat(TableSnapshot.rows(d, "daily"))
          .containsExactly(
              "day=2024-03-01|orders=2|revenue=3.75|_idem_window=2024-03-01",
              "day=2024-03-02|orders=1|revenue=4.00|_idem_window=2024-03-02");
    }
  }

  @Test
  void anExistingIncompatibleTableIsRefusedWithTheColumnNamed() {
    Schema schema =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("amount", DataType.decimal(12, 2)));
    Pipeline p =
        Pipeline.builder("x")
            .source(new ListSource(schema).add(1L, BigDecimal.ONE))
            .windows(WindowSpec.full())
            .table("legacy")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d = open("legacy.duckdb")) {
      TableSnapshot.execute(
          d, "CREATE TABLE legacy (id BIGINT, amount VARCHAR, _idem_window VARCHAR)");
      assertThatThrownBy(() -> d.prepare(p))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "table legacy: column amount is VARCHAR, the pipeline declares decimal(12,2) (DECIMAL(12,2))");
    }
  }

  @Test
  void aChangedKeyIsRefusedInsteadOfLeavingTheOldUniqueIndexInPlace() {
    Schema schema =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));
    ListSource source = new ListSource(schema).add(1L, "a");
    Pipeline byId =
        Pipeline.builder("rekey")
            .source(source)
            .windows(WindowSpec.full())
            .table("rekey")
            .key("id")
            .strategy(WriteStrategy.MERGE)
            .build();
    Pipeline byName =
        Pipeline.builder("rekey")
            .source(source)
            .windows(WindowSpec.full())
            .table("rekey")
            .key("name")
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d = open("rekey.duckdb")) {
      d.prepare(byId);
      d.prepare(byId); // idempotent
      assertThatThrownBy(() -> d.prepare(byName))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("table rekey has idem's unique index rekey_")
          .hasMessageContaining("for another key than [name]");
    }
  }

  @Test
  void theLedgerCarriesItsSchemaVersion() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("x")
            .source(new ListSource(schema))
            .windows(WindowSpec.full())
            .table("t")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    try (JdbcDestination d = open("ledger.duckdb")) {
      d.prepare(p);
      assertThat(TableSnapshot.rows(d, "_idem.meta"))
          .containsExactly("name=schema_version|value=" + LedgerSchemaTestAccess.version());
      TableSnapshot.execute(d, "UPDATE _idem.meta SET value = '99'");
      assertThatThrownBy(() -> d.prepare(p))
          .hasMessageContaining(
              "schema version 99, newer than this idem understands ("
                  + LedgerSchemaTestAccess.version()
                  + ")");
    }
  }

  @Test
  void aVersionOneLedgerIsMigratedKeepingItsWindows() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("x")
            .source(new ListSource(schema))
            .windows(WindowSpec.full())
            .table("t")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    try (JdbcDestination d = open("ledger-v1.duckdb")) {
      TableSnapshot.execute(d, "CREATE SCHEMA _idem");
      TableSnapshot.execute(
          d, "CREATE TABLE _idem.meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
      TableSnapshot.execute(d, "INSERT INTO _idem.meta VALUES ('schema_version', '1')");
      TableSnapshot.execute(d, LedgerSchemaTestAccess.firstMigration());
      TableSnapshot.execute(
          d,
          "INSERT INTO _idem.windows (pipeline, window_id, status, rows_read) VALUES ('x', 'full', 'DONE', 7)");
      d.prepare(p);
      assertThat(TableSnapshot.rows(d, "_idem.meta"))
          .containsExactly("name=schema_version|value=" + LedgerSchemaTestAccess.version());
      assertThat(d.ledger().state("x", "full"))
          .get()
          .satisfies(s -> assertThat(s.counts().read()).isEqualTo(7));
      assertThat(TableSnapshot.rows(d, "(SELECT rows_dead_lettered FROM _idem.windows)"))
          .containsExactly("rows_dead_lettered=0");
      assertThat(TableSnapshot.rows(d, "_idem.dead_letters")).isEmpty();
      assertThat(TableSnapshot.rows(d, "_idem.checks")).isEmpty();
      assertThat(d.ledger().state("x", "full"))
          .get()
          .satisfies(s -> assertThat(s.sourcePosition()).isNull());
      assertThat(
              TableSnapshot.rows(
                  d,
                  "(SELECT schema_fingerprint, schema_drift, columns_discarded, values_discarded FROM _idem.windows)"))
          .containsExactly(
              "schema_fingerprint=null|schema_drift=null|columns_discarded=0|values_discarded=0");
      assertThat(d.ledger().state("x", "full"))
          .get()
          .satisfies(s -> assertThat(s.schema()).isNull());
    }
  }

  @Test
  void aDroppedTargetIsCreatedAgainInTheSameProcess() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER), Column.of("v", DataType.STRING));
    ListSource source = new ListSource(schema).add(1L, "a").add(2L, "b");
    Pipeline p =
        Pipeline.builder("refresh")
            .source(source)
            .windows(WindowSpec.full())
            .table("r")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d = open("refresh.duckdb")) {
      assertThat(run(d, p, List.of(Window.full()), RunOptions.defaults("r1")).ok()).isTrue();
    }
    try (JdbcDestination d = open("refresh.duckdb")) { // a later process
      d.dropTarget(p);
      assertThat(d.ledger().states("refresh")).isEmpty();
      RunReport again = run(d, p, List.of(Window.full()), RunOptions.defaults("r2"));
      assertThat(again.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(WindowOutcome.Result.LOADED);
      assertThat(TableSnapshot.rows(d, "r"))
          .containsExactly("id=1|v=a|_idem_window=full", "id=2|v=b|_idem_window=full");
    }
  }

  @Test
  void transientFailuresAreRetriedWithBackoffAndAGiveUpIsRecordedInTheLedger() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("flaky")
            .source(new ListSource(schema).add(1L).add(2L))
            .windows(WindowSpec.full())
            .table("flaky")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    AtomicInteger failures = new AtomicInteger();
    List<Duration> waits = new ArrayList<>();
    FaultInjector flaky =
        (point, window) -> {
          if (point == FaultPoint.BEFORE_COMMIT && failures.getAndIncrement() < 2) {
            throw new TransientException("connection reset (simulated)", null);
          }
        };
    RunServices services =
        RunServices.defaults()
            .withFaults(flaky)
            .withRetry(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)));
    services = services.withSleeper(waits::add);
    try (JdbcDestination d = open("flaky.duckdb")) {
      WindowOutcome ok =
          new Runner(d, services)
              .run(p, List.of(Window.full()), RunOptions.defaults("r1"))
              .outcomes()
              .get(0);
      assertThat(ok.result()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(ok.attempts()).isEqualTo(3);
      assertThat(waits)
          .hasSize(2)
          .allSatisfy(w -> assertThat(w).isBetween(Duration.ZERO, Duration.ofMillis(200)));
      assertThat(TableSnapshot.rows(d, "flaky")).hasSize(2);

      failures.set(-100); // now it keeps failing
      WindowOutcome gaveUp =
          new Runner(d, services)
              .run(p, List.of(Window.full()), RunOptions.defaults("r2").forced())
              .outcomes()
              .get(0);
      assertThat(gaveUp.result()).isEqualTo(WindowOutcome.Result.FAILED);
      assertThat(gaveUp.message())
          .startsWith("gave up after 3 attempts: connection reset (simulated)");
      assertThat(d.ledger().state("flaky", "full"))
          .get()
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(WindowStatus.FAILED);
                assertThat(s.error()).contains("gave up after 3 attempts");
              });
      assertThat(TableSnapshot.rows(d, "flaky")).hasSize(2);
    }
  }

  @Test
  void rowFunctionsTransformAndDiscardRecordsAndTheCountsStillBalance() {
    Schema schema =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("email", DataType.STRING));
    ListSource source =
        new ListSource(schema).add(1L, "A@X.ORG").add(2L, "spam@x.org").add(3L, "c@x.org");
    Pipeline p =
        Pipeline.builder("rowfn")
            .source(source)
            .windows(WindowSpec.full())
            .table("rowfn")
            .key("id")
            .strategy(WriteStrategy.MERGE)
            .rowFunction(
                "lower-email-v1",
                (v, ctx) -> {
                  v[1] = ((String) v[1]).toLowerCase(Locale.ROOT);
                  return v;
                })
            .rowFunction("drop-spam-v1", (v, ctx) -> ((String) v[1]).startsWith("spam") ? null : v)
            .build();
    try (JdbcDestination d = open("rowfn.duckdb")) {
      WindowOutcome o =
          run(d, p, List.of(Window.full()), RunOptions.defaults("r")).outcomes().get(0);
      assertThat(o.counts().read()).isEqualTo(3);
      assertThat(o.counts().discarded()).isEqualTo(1);
      assertThat(o.counts().balanced()).isTrue();
      assertThat(TableSnapshot.rows(d, "rowfn"))
          .containsExactly(
              "id=1|email=a@x.org|_idem_window=full", "id=3|email=c@x.org|_idem_window=full");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"REPLACE_WINDOW", "REPLACE_TABLE"})
  void replacingKeysAlreadyInAReopenedFileWorksAndRewritesOnlyChangedRows(WriteStrategy strategy) {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER), Column.of("v", DataType.STRING));
    ListSource source = new ListSource(schema).add(1L, "a").add(2L, "b").add(3L, "c");
    Pipeline p =
        Pipeline.builder("reopen")
            .source(source)
            .windows(WindowSpec.batch())
            .table("t")
            .key(KeySpec.columns("id"))
            .strategy(strategy)
            .build();
    Window w = Window.batch("b1");
    try (JdbcDestination d = open("reopen.duckdb")) {
      assertThat(run(d, p, List.of(w), RunOptions.defaults("r1")).ok()).isTrue();
    }
    source.replaceAll(
        List.of(new Object[] {1L, "a"}, new Object[] {2L, "B"}, new Object[] {4L, "d"}));
    try (JdbcDestination d = open("reopen.duckdb")) { // a later process: the file is reopened
      WindowOutcome o = run(d, p, List.of(w), RunOptions.defaults("r2")).outcomes().get(0);
      assertThat(o.result()).as(o.message()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(o.counts())
          .extracting(c -> c.inserted(), c -> c.updated(), c -> c.unchanged(), c -> c.replaced())
          .containsExactly(1L, 1L, 1L, 1L);
      assertThat(TableSnapshot.rows(d, "t"))
          .containsExactly(
              "id=1|v=a|_idem_window=b1", "id=2|v=B|_idem_window=b1", "id=4|v=d|_idem_window=b1");
      WindowOutcome forced =
          run(d, p, List.of(w), RunOptions.defaults("r3").forced()).outcomes().get(0);
      assertThat(forced.result()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(forced.counts().written()).isZero();
    }
  }

  @Test
  void aBatchWindowReplacedByAnotherIsReloadedWhenRunAgain() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER), Column.of("v", DataType.STRING));
    ListSource source = new ListSource(schema).add(1L, "a");
    Pipeline p =
        Pipeline.builder("batches")
            .source(source)
            .windows(WindowSpec.batch())
            .table("t")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.REPLACE_TABLE)
            .build();
    try (JdbcDestination d = open("batches.duckdb")) {
      run(d, p, List.of(Window.batch("A")), RunOptions.defaults("a"));
      source.replaceAll(List.<Object[]>of(new Object[] {2L, "b"}));
      run(d, p, List.of(Window.batch("B")), RunOptions.defaults("b"));
      source.replaceAll(List.<Object[]>of(new Object[] {1L, "a"}));
      WindowOutcome again =
          run(d, p, List.of(Window.batch("A")), RunOptions.defaults("a2")).outcomes().get(0);
      assertThat(again.result()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(TableSnapshot.rows(d, "t")).containsExactly("id=1|v=a|_idem_window=A");
    }
  }

  @Test
  void aRowFunctionThatThrowsFailsItsWindowOnlyAndTheFailureIsRecorded() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER), Column.of("day", DataType.DATE));
    ListSource source =
        new ListSource(schema).add(1L, LocalDate.of(2024, 3, 1)).add(2L, LocalDate.of(2024, 3, 2));
    Pipeline p =
        Pipeline.builder("buggy")
            .source(source)
            .windows(WindowSpec.day("day", ZoneOffset.UTC))
            .table("buggy")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .rowFunction(
                "buggy-v1",
                (v, ctx) -> {
                  if ((Long) v[0] == 2L) {
                    throw new IllegalStateException("bug in user code");
                  }
                  return v;
                })
            .build();
    try (JdbcDestination d = open("buggy.duckdb")) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, source.windows(p.windows()), RunOptions.defaults("r").withParallel(2));
      assertThat(r.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(WindowOutcome.Result.LOADED, WindowOutcome.Result.FAILED);
      assertThat(r.outcomes().get(1).message())
          .isEqualTo("unexpected error: IllegalStateException: bug in user code");
      assertThat(d.ledger().state("buggy", "2024-03-02"))
          .get()
          .extracting(s -> s.status())
          .isEqualTo(WindowStatus.FAILED);
    }
  }

  @Test
  void aWindowForgottenByResetGetsATokenNoOldLeaseHolds() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("tokens")
            .source(new ListSource(schema).add(1L))
            .windows(WindowSpec.full())
            .table("tokens")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    try (JdbcDestination d = open("tokens.duckdb")) {
      d.prepare(p);
      Lease old = d.ledger().claim("tokens", "full", "x/1", Duration.ofMinutes(1)).orElseThrow();
      d.ledger().reset("tokens", Optional.empty());
      Lease fresh = d.ledger().claim("tokens", "full", "x/2", Duration.ofMinutes(1)).orElseThrow();
      assertThat(fresh.token()).isGreaterThan(old.token());
      assertThatThrownBy(() -> d.ledger().fail(old, "zombie")).isInstanceOf(FencedException.class);
    }
  }

  @Test
  void aLongWindowKeepsItsLeaseAliveSoNoOtherRunnerTakesItOver() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("slow")
            .source(new ListSource(schema).add(1L))
            .windows(WindowSpec.full())
            .table("slow")
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    Duration ttl = Duration.ofMillis(900); // renewed every 300 ms
    List<WindowOutcome> rival = new ArrayList<>();
    RunServices process =
        RunServices.defaults().withLeaseTtl(ttl); // both runners are threads of this process
    try (JdbcDestination d = open("slow.duckdb")) {
      FaultInjector slowAndRivalled =
          (point, window) -> {
            if (point == FaultPoint.MID_STAGING && rival.isEmpty()) {
              try {
                Thread.sleep(3 * ttl.toMillis()); // a long load: three lease lifetimes
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              rival.addAll(
                  new Runner(d.withServices(process), process)
                      .run(p, List.of(Window.full()), RunOptions.defaults("rival"))
                      .outcomes());
            }
          };
      RunServices services = process.withFaults(slowAndRivalled);
      WindowOutcome slow =
          new Runner(d.withServices(services), services)
              .run(p, List.of(Window.full()), RunOptions.defaults("slow"))
              .outcomes()
              .get(0);
      assertThat(rival)
          .extracting(WindowOutcome::result)
          .containsExactly(WindowOutcome.Result.HELD);
      assertThat(slow.result()).isEqualTo(WindowOutcome.Result.LOADED);
    }
  }

  @Test
  void duckDbWriteConflictsAreTransientAndDataErrorsAreNot() {
    Dialect dialect = new DuckDbDialect();
    assertThat(
            dialect.classify(
                new SQLException(
                    "TransactionContext Error: Catalog write-write conflict on create with \"x\"")))
        .isEqualTo(Dialect.ErrorKind.TRANSIENT);
    assertThat(
            dialect.classify(
                new SQLException(
                    "TransactionContext Error: Failed to commit: PRIMARY KEY or UNIQUE constraint violation")))
        .isEqualTo(Dialect.ErrorKind.TRANSIENT);
    assertThat(
            dialect.classify(
                new SQLException("Conversion Error: Could not convert string 'abc' to INT64")))
        .isEqualTo(Dialect.ErrorKind.PERMANENT);
    assertThat(
            dialect.classify(
                new SQLException("Constraint Error: NOT NULL constraint failed: t.id")))
        .isEqualTo(Dialect.ErrorKind.PERMANENT);
  }
}
