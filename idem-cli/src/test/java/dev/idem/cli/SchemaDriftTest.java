package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.ledger.WindowSchema;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schema drift end to end through {@code idem run}, on DuckDB and PostgreSQL: CSV and JSON-lines
 * files that gain a column, lose one, or hold a value of another type, under each policy ({@code
 * evolve}, {@code freeze}, {@code discard}); the ledger's schema fingerprint and drift; reruns
 * after evolve; the balance of every window.
 */
class SchemaDriftTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE =
      "order_id,customer,amount,quantity\n1,ada,10.00,1\n2,bob,2.50,2\n";
  private static final String GAINED =
      "order_id,customer,amount,quantity,discount\n3,cyd,7.25,3,0.5\n4,dee,1.00,4,\n";
  private static final String LOST = "order_id,customer,amount\n5,eve,3.00\n";
  private static final String RETYPED =
      "order_id,customer,amount,quantity\n6,fay,4.00,2.5\n7,gus,5.00,7\n";

  @TempDir Path dir;

  private String url(String kind) {
    return kind.equals("duckdb")
        ? "jdbc:duckdb:" + dir.resolve("drift.duckdb")
        : EmbeddedPostgresServer.newDatabase();
  }

  /**
   * Orders in CSV files, one window per file, merged by order_id; {@code extra} lines at the top
   * level.
   */
  private Path pipeline(String url, String policy, String extra) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: drift",
            "source: {type: csv, path: 'data/*.csv'}",
            "columns:",
            "  order_id: integer not null",
            "  customer: string",
            "  amount: decimal(12,2)",
            "  quantity: integer",
            "windows: {kind: file}",
            "target: {table: orders, key: [order_id], strategy: merge}",
            "destination: {url: \"" + url + "\"}",
            policy == null ? "" : "schema_drift: " + policy,
            extra,
            ""));
    return p;
  }

  /** Orders in JSON-lines files under evolve, one window per file, merged by order_id. */
  private Path jsonPipeline(String url) throws Exception {
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: drift",
            "source: {type: jsonl, path: 'data/*.jsonl'}",
            "columns:",
            "  order_id: integer not null",
            "  amount: decimal(12,2)",
            "windows: {kind: file}",
            "target: {table: orders, key: [order_id], strategy: merge}",
            "destination: {url: \"" + url + "\"}",
            "schema_drift: evolve",
            "max_bad_records: 5",
            ""));
    return p;
  }

  private void file(String name, String text) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data").resolve(name), text, StandardCharsets.UTF_8);
  }

  private static JdbcDestination open(String url) {
    return JdbcDestination.open(
        url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5));
  }

  private static List<String> rows(String url) {
    try (JdbcDestination d = open(url)) {
      return d.tableRows("orders");
    }
  }

  private static List<String> columns(String url) {
    try (JdbcDestination d = open(url)) {
      return d.tableRows(
          "(SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders')");
    }
  }

  private static WindowState state(String url, String window) {
    try (JdbcDestination d = open(url)) {
      return d.ledger().state("drift", window).orElseThrow();
    }
  }

  private static void assertBalanced(String url) {
    try (JdbcDestination d = open(url)) {
      assertThat(d.ledger().states("drift"))
          .filteredOn(s -> s.status() == WindowStatus.DONE)
          .allSatisfy(
              s -> assertThat(s.counts().balanced()).as(s.windowId() + " " + s.counts()).isTrue());
    }
  }

  private static Cli.Result run(Path p, String... more) {
    String[] args = new String[more.length + 2];
    args[0] = "run";
    args[1] = p.toString();
    System.arraycopy(more, 0, args, 2, more.length);
    return Cli.run(args);
  }

  // ---- evolve --------------------------------------------------------------------------------

  /**
   * Under evolve, a JSON key whose column the target already has as a type idem cannot load: every
   * line with the key is a dead letter naming the column, and the lines between them load (the
   * staging goes on after each refusal).
   */
  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveDeadLettersEveryJsonLineWhoseKeyTheTargetCannotLoad(String kind) throws Exception {
    String url = url(kind);
    Path p = jsonPipeline(url);
    file("a.jsonl", "{\"order_id\": 1, \"amount\": 1.50}\n");
    assertThat(run(p).exit()).isZero();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "ALTER TABLE orders ADD COLUMN payload " + (kind.equals("duckdb") ? "BLOB" : "BYTEA"));
    }
    file(
        "b.jsonl",
        String.join(
            "\n",
            "{\"order_id\": 2, \"payload\": \"x\"}",
            "{\"order_id\": 3}",
            "{\"order_id\": 4, \"payload\": \"y\"}",
            "{\"order_id\": 5}",
            ""));
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(rows(url)).hasSize(3).noneMatch(row -> row.startsWith("order_id=2|"));
    WindowState b = state(url, "data/b.jsonl");
    assertThat(b.counts().deadLettered()).isEqualTo(2);
    assertBalanced(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveAddsAGainedColumnInTheWindowsTransactionAndARerunIsANoOp(String kind)
      throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "evolve", "");
    file("day1.csv", BASE);
    file("day2.csv", GAINED);
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    // CSV has no types: an added column is a nullable string; the rows of the window without it
    // hold NULL
    assertThat(columns(url))
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("column_name=discount|data_type=")
                    .containsAnyOf("VARCHAR", "text"));
    assertThat(rows(url))
        .containsExactly(
            "order_id=1|customer=ada|amount=10.00|quantity=1|_idem_window=data/day1.csv|discount=null",
            "order_id=2|customer=bob|amount=2.50|quantity=2|_idem_window=data/day1.csv|discount=null",
            "order_id=3|customer=cyd|amount=7.25|quantity=3|_idem_window=data/day2.csv|discount=0.5",
            "order_id=4|customer=dee|amount=1.00|quantity=4|_idem_window=data/day2.csv|discount=null");
    WindowSchema day1 = state(url, "data/day1.csv").schema();
    WindowSchema day2 = state(url, "data/day2.csv").schema();
    assertThat(day1.drift()).isNull();
    assertThat(day2.drift()).isEqualTo("added: discount");
    assertThat(day2.fingerprint()).hasSize(64).isNotEqualTo(day1.fingerprint());
    assertThat(day2.columnsDiscarded()).isZero();
    assertThat(day2.valuesDiscarded()).isZero();
    assertBalanced(url);

    List<String> before = rows(url);
    Cli.Result again = run(p);
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("2 windows: 0 loaded, 2 unchanged");
    Cli.Result forced = run(p, "--force", "--output", "json");
    assertThat(forced.exit()).as(forced.out() + forced.err()).isZero();
    for (JsonNode w : JSON.readTree(forced.out()).get("windows")) {
      assertThat(w.get("result").asText()).isEqualTo("loaded");
      assertThat(w.get("inserted").asLong() + w.get("updated").asLong()).as(w.toString()).isZero();
    }
    assertThat(rows(url)).isEqualTo(before);
    assertBalanced(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveLoadsALostNullableColumnAsNullAndRefusesToLoseANotNullOne(String kind)
      throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "evolve", "");
    file("day1.csv", BASE);
    file("day3.csv", LOST);
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(rows(url))
        .contains("order_id=5|customer=eve|amount=3.00|quantity=null|_idem_window=data/day3.csv");
    assertThat(state(url, "data/day3.csv").schema().drift()).isEqualTo("removed: quantity");
    assertThat(state(url, "data/day3.csv").schema().fingerprint())
        .isNotEqualTo(state(url, "data/day1.csv").schema().fingerprint());
    assertBalanced(url);

    file("day4.csv", "customer,amount,quantity\nzed,1.00,1\n");
    Cli.Result notNull = run(p);
    assertThat(notNull.exit()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(notNull.out())
        .contains(
            "data/day4.csv  FAILED",
            "window data/day4.csv: schema drift at data/day4.csv:1: removed: order_id"
                + " (schema_drift: evolve loads a removed column as NULL, but order_id is declared not null)");
    assertThat(rows(url)).noneMatch(row -> row.contains("zed"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveNeverNarrowsARetypedValueItDeadLettersItsRecord(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "evolve", "max_bad_records: 5");
    file("day1.csv", BASE);
    file("day5.csv", RETYPED);
    Cli.Result r = run(p, "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    // 2.5 is not an integer: its record is kept aside, never loaded as 2 or 3
    assertThat(rows(url))
        .noneMatch(row -> row.startsWith("order_id=6|"))
        .contains("order_id=7|customer=gus|amount=5.00|quantity=7|_idem_window=data/day5.csv");
    assertThat(state(url, "data/day5.csv").schema().drift())
        .isEqualTo("retyped: quantity from integer to decimal(2,1)");
    assertThat(state(url, "data/day5.csv").counts().deadLettered()).isEqualTo(1);
    assertThat(Cli.run("dlq", "list", p.toString()).out())
        .contains("data/day5.csv:2", "column quantity: '2.5' is not an integer");
    assertBalanced(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveFromJsonLinesTypesAddedKeysByTheirJsonValues(String kind) throws Exception {
    String url = url(kind);
    Files.createDirectories(dir.resolve("data"));
    Path p = jsonPipeline(url);
    Files.writeString(
        dir.resolve("data/a.jsonl"),
        String.join(
            "\n",
            "{\"order_id\": 1, \"amount\": 1.50, \"items\": 3, \"note\": null}",
            "{\"order_id\": 2, \"amount\": 2, \"items\": 4, \"note\": \"gift\", \"rate\": 0.125, \"tags\": [\"a\", 1], \"vip\": true}",
            "{\"order_id\": 3, \"items\": \"many\"}",
            ""));
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> cols = columns(url);
    assertThat(cols)
        .anySatisfy(
            c -> assertThat(c).startsWith("column_name=items|").containsAnyOf("BIGINT", "bigint"))
        .anySatisfy(
            c -> assertThat(c).startsWith("column_name=note|").containsAnyOf("VARCHAR", "text"))
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("column_name=rate|")
                    .containsAnyOf("DECIMAL(38,9)", "numeric"))
        .anySatisfy(
            c -> assertThat(c).startsWith("column_name=tags|").containsAnyOf("JSON", "jsonb"))
        .anySatisfy(
            c -> assertThat(c).startsWith("column_name=vip|").containsAnyOf("BOOLEAN", "boolean"));
    List<String> rows = rows(url);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0))
        .startsWith(
            "order_id=1|amount=1.50|_idem_window=data/a.jsonl|items=3|note=null|rate=null|tags=null|vip=null");
    assertThat(rows.get(1))
        .startsWith(
            "order_id=2|amount=2.00|_idem_window=data/a.jsonl|items=4|note=gift|rate=0.125000000|tags=[")
        .contains("\"a\"")
        .matches(".*\\|vip=(true|t)"); // PostgreSQL renders a boolean as t
    // "many" is not an integer: retyped, its record dead-lettered
    WindowSchema schema = state(url, "data/a.jsonl").schema();
    assertThat(schema.drift())
        .isEqualTo("added: items, note, rate, tags, vip; retyped: items from integer to string");
    assertThat(state(url, "data/a.jsonl").counts().deadLettered()).isEqualTo(1);
    assertBalanced(url);
    assertThat(run(p).out()).contains("1 window: 0 loaded, 1 unchanged");
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveCrashedAnywhereInTheWindowLeavesNoColumnBehindAndARetryConverges(String kind)
      throws Exception {
    file("day1.csv", BASE);
    file("day2.csv", GAINED);
    Schema columns =
        Schema.of(
            new Column("order_id", DataType.INTEGER, false),
            Column.of("customer", DataType.STRING),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("quantity", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("drift")
            .source(new CsvSource(new FileSet(dir, "data/*.csv"), columns, CsvFormat.DEFAULT))
            .windows(WindowSpec.file())
            .table("orders")
            .key("order_id")
            .strategy(WriteStrategy.MERGE)
            .schemaDrift(DriftPolicy.EVOLVE)
            .build();
    List<Window> windows = p.source().windows(p.windows());
    String cleanUrl = url(kind).replace("drift.duckdb", "clean.duckdb");
    try (JdbcDestination clean = open(cleanUrl)) {
      assertThat(
              new Runner(clean, RunServices.defaults())
                  .run(p, windows, RunOptions.defaults("clean"))
                  .ok())
          .isTrue();
    }
    List<String> expected = rows(cleanUrl);
    for (FaultPoint point :
        List.of(
            FaultPoint.MID_STAGING,
            FaultPoint.AFTER_STAGING,
            FaultPoint.BEFORE_COMMIT,
            FaultPoint.AFTER_COMMIT)) {
      String url = url(kind).replace("drift.duckdb", point + ".duckdb");
      RunServices crashing =
          RunServices.defaults().withOwner("p1").withFaults(new CrashAt(point, "data/day2.csv"));
      try (JdbcDestination d =
          JdbcDestination.open(url, new Properties(), crashing, Duration.ofSeconds(5))) {
        assertThatThrownBy(
                () -> new Runner(d, crashing).run(p, windows, RunOptions.defaults("crashing")))
            .as(point.toString())
            .isInstanceOf(SimulatedCrash.class);
        if (point != FaultPoint.AFTER_COMMIT) {
          assertThat(columns(url))
              .as("no column before the window commits, %s", point)
              .noneMatch(c -> c.contains("discount"));
        }
        TableSnapshot.execute(
            d,
            "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
        try (JdbcDestination retry = d.reopen(RunServices.defaults().withOwner("p2"))) {
          RunReport r =
              new Runner(retry, RunServices.defaults().withOwner("p2"))
                  .run(p, windows, RunOptions.defaults("retry"));
          assertThat(r.ok()).as("%s: %s", point, r.outcomes()).isTrue();
          assertThat(rows(url)).as(point.toString()).isEqualTo(expected);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void parallelWindowsGainingTheSameColumnAddItOnce(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "evolve", "");
    for (int i = 1; i <= 4; i++) {
      file(
          "day" + i + ".csv",
          "order_id,customer,amount,quantity,discount\n" + i + ",c" + i + ",1.00,1,0." + i + "\n");
    }
    Cli.Result r = run(p, "--parallel", "4");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(columns(url)).filteredOn(c -> c.contains("discount")).hasSize(1);
    assertThat(rows(url))
        .hasSize(4)
        .allSatisfy(row -> assertThat(row).matches(".*\\|discount=0\\.\\d"));
    assertBalanced(url);
  }

  // ---- freeze --------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void freezeFailsAWindowOnEachKindOfDriftWithTheDiffAsItsError(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "freeze", "max_bad_records: 5");
    file("day1.csv", BASE);
    file("day2.csv", GAINED);
    file("day3.csv", LOST);
    file("day5.csv", RETYPED);
    Cli.Result r = run(p);
    assertThat(r.exit()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(r.out())
        .contains(
            "data/day1.csv  LOADED",
            "window data/day2.csv: schema drift at data/day2.csv:1: added: discount (schema_drift: freeze fails a window on any drift)",
            "window data/day3.csv: schema drift at data/day3.csv:1: removed: quantity (schema_drift: freeze fails a window on any drift)",
            "window data/day5.csv: schema drift at data/day5.csv:2: retyped: quantity from integer to decimal(2,1) (schema_drift: freeze fails a window on any drift)");
    assertThat(r.errors().lines().count()).isLessThanOrEqualTo(3);
    assertThat(rows(url))
        .hasSize(2)
        .allSatisfy(row -> assertThat(row).contains("_idem_window=data/day1.csv"));
    assertThat(columns(url)).noneMatch(c -> c.contains("discount"));
    assertThat(state(url, "data/day2.csv").status()).isEqualTo(WindowStatus.FAILED);
    assertThat(state(url, "data/day2.csv").error()).contains("added: discount");
    assertBalanced(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void freezePassesReorderedColumnsWithTheSameFingerprint(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "freeze", "");
    file("day1.csv", BASE);
    file("day2.csv", "quantity,amount,order_id,customer\n3,7.25,3,cyd\n");
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(rows(url))
        .contains("order_id=3|customer=cyd|amount=7.25|quantity=3|_idem_window=data/day2.csv");
    assertThat(state(url, "data/day2.csv").schema().fingerprint())
        .isEqualTo(state(url, "data/day1.csv").schema().fingerprint());
    assertThat(state(url, "data/day2.csv").schema().drift()).isNull();
  }

  // ---- discard (the default) -----------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void discardDropsAGainedColumnAndCountsItInTheLedger(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, null, "");
    file("day1.csv", BASE);
    file(
        "day2.csv",
        "order_id,customer,amount,quantity,discount,coupon\n3,cyd,7.25,3,0.5,X\n4,dee,1.00,4,,Y\n");
    Cli.Result r = run(p);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("loaded; schema drift: added: discount, coupon");
    assertThat(columns(url)).noneMatch(c -> c.contains("discount") || c.contains("coupon"));
    assertThat(rows(url))
        .contains("order_id=4|customer=dee|amount=1.00|quantity=4|_idem_window=data/day2.csv");
    WindowSchema schema = state(url, "data/day2.csv").schema();
    assertThat(schema.drift()).isEqualTo("added: discount, coupon");
    assertThat(schema.columnsDiscarded()).isEqualTo(2);
    assertThat(schema.valuesDiscarded()).isEqualTo(3); // 0.5, X, Y: the empty discount is NULL
    assertThat(state(url, "data/day1.csv").schema().columnsDiscarded()).isZero();
    assertBalanced(url);
    Cli.Result status = Cli.run("status", p.toString());
    assertThat(status.out())
        .contains("schema")
        .contains("added: discount, coupon (2 columns, 3 values discarded)");
    JsonNode json = JSON.readTree(Cli.run("status", p.toString(), "--output", "json").out());
    assertThat(json.get("windows").get(1).get("schema").get("values_discarded").asLong())
        .isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void discardFailsAWindowThatLostADeclaredColumnAndDeadLettersRetypedValues(String kind)
      throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "discard", "");
    file("day3.csv", LOST);
    file("day5.csv", RETYPED);
    Cli.Result r = run(p);
    assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(r.out())
        .contains(
            "window data/day3.csv: schema drift at data/day3.csv:1: removed: quantity (schema_drift: discard drops added columns"
                + " but loads no declared column the input lacks: restore it, or use evolve to load it as NULL)");
    // a retyped value is a bad record, as any value that does not parse: over max_bad_records 0 the
    // window fails, kept aside
    assertThat(r.out())
        .contains(
            "data/day5.csv  FAILED", "data/day5.csv:2: column quantity: '2.5' is not an integer");
    assertThat(Cli.run("dlq", "list", p.toString()).out()).contains("data/day5.csv:2");
    assertThat(rows(url)).isEmpty();
  }

  // ---- the pipeline file ---------------------------------------------------------------------

  @Test
  void anUnknownPolicyAndEvolveWithATransformAreRefusedAtLoad() throws Exception {
    String url = "jdbc:duckdb:" + dir.resolve("x.duckdb");
    Path p = pipeline(url, "evolv", "");
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .contains(
            "pipeline.yaml:11: schema_drift: unknown policy 'evolv': expected evolve, freeze or discard");

    Path t = pipeline(url, "evolve", "transform: {sql: SELECT * FROM staged}");
    Files.writeString(
        t,
        Files.readString(t)
            .replace("strategy: merge}", "strategy: merge, columns: {order_id: integer}}"));
    Cli.Result transform = Cli.run("run", t.toString());
    assertThat(transform.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(transform.err())
        .contains(
            "schema_drift: schema_drift evolve adds the input's new columns to the target, but with a transform");
  }
}
