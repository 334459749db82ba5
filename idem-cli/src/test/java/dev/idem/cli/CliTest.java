package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in process, on copies of the examples loaded into DuckDB. */
class CliTest {
  @TempDir Path tmp;

  Path orders;
  Path summary;

  @BeforeEach
  void copyExamples() throws IOException {
    Examples.copy(tmp);
    orders = tmp.resolve("orders/pipeline.yaml");
    summary = tmp.resolve("daily-summary/pipeline.yaml");
  }

  @Test
  void ordersLoadsFiveDaysThenReportsThemUnchanged() throws Exception {
    Cli.Result first = Cli.run("run", orders.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("5 windows: 5 loaded, 0 unchanged, 0 failed (pipeline orders, run ");
    // not on a terminal: one timestamped line per window on stderr, none of it on stdout
    assertThat(first.err().lines())
        .hasSize(5)
        .allMatch(
            l ->
                l.matches(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\[\\d/5\\] window 2024-03-0\\d LOADED: .*"));

    Cli.Result second = Cli.run("run", orders.toString(), "--run-id", "second-run");
    assertThat(second.exit()).isZero();
    assertThat(second.out())
        .contains("5 windows: 0 loaded, 5 unchanged, 0 failed (pipeline orders, run second-run)")
        .contains("Nothing written: every window is unchanged");
    assertThat(second.out().lines().filter(l -> l.startsWith("2024-03-0")))
        .hasSize(5)
        .allSatisfy(l -> assertThat(l).contains("UNCHANGED"));

    Map<Long, String> rows =
        query(
            tmp.resolve("orders/orders.duckdb"),
            "SELECT order_id, amount FROM orders ORDER BY order_id");
    assertThat(rows).hasSize(60);
    assertThat(rows.get(1003L))
        .isEqualTo("29.80"); // the late correction of day 3 won over day 1's 39.80
    assertThat(rows.get(1007L)).isEqualTo("19.90"); // re-sent on day 2, loaded once
    assertThat(rows.get(2005L)).isEqualTo("7.50"); // twice in day 2's file, loaded once
    assertThat(
            query(
                tmp.resolve("orders/orders.duckdb"),
                "SELECT count(*), count(DISTINCT order_id) FROM orders"))
        .containsExactly(Map.entry(60L, "60"));
  }

  @Test
  void dailySummaryReplacesOneRowPerDay() throws Exception {
    Cli.Result r = Cli.run("run", summary.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("5 windows: 5 loaded");
    Map<Long, String> days =
        query(
            tmp.resolve("daily-summary/daily-summary.duckdb"),
            "SELECT day(day), CAST(orders AS VARCHAR) || ' ' || CAST(revenue AS VARCHAR) FROM daily_revenue ORDER BY day");
    assertThat(days).hasSize(5).containsKeys(1L, 2L, 3L, 4L, 5L);
    assertThat(days.get(1L)).startsWith("12 ");
    assertThat(days.get(3L))
        .startsWith("13 "); // 12 new orders and the corrected 1003, ingested on day 3
    assertThat(Cli.run("run", summary.toString()).out()).contains("0 loaded, 5 unchanged");
  }

  @Test
  void fullRefreshDropsTheTableAndLoadsEveryWindowAgain() throws Exception {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    Cli.Result refresh = Cli.run("run", orders.toString(), "--full-refresh");
    assertThat(refresh.exit()).as(refresh.err()).isZero();
    assertThat(refresh.out()).contains("5 windows: 5 loaded, 0 unchanged, 0 failed");
    assertThat(
            query(
                tmp.resolve("orders/orders.duckdb"),
                "SELECT count(*), CAST(count(DISTINCT order_id) AS VARCHAR) FROM orders"))
        .containsExactly(Map.entry(60L, "60"));
    assertThat(Cli.run("run", orders.toString(), "--full-refresh", "--window", "2024-03-01").exit())
        .isEqualTo(ExitCode.USAGE);
  }

  @Test
  void jsonOutputIsOneDocumentWithStableFields() throws Exception {
    Cli.Result r =
        Cli.run(
            "run",
            orders.toString(),
            "--output",
            "json",
            "--window",
            "2024-03-03",
            "--run-id",
            "r1");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("pipeline").asText()).isEqualTo("orders");
    assertThat(doc.get("run_id").asText()).isEqualTo("r1");
    assertThat(doc.get("exit_code").asInt()).isZero();
    assertThat(doc.get("summary").get("loaded").asInt()).isEqualTo(1);
    JsonNode w = doc.get("windows").get(0);
    assertThat(w.get("window").asText()).isEqualTo("2024-03-03");
    assertThat(w.get("result").asText()).isEqualTo("loaded");
    assertThat(w.get("read").asLong()).isEqualTo(13);
    assertThat(w.get("inserted").asLong()).isEqualTo(13);
  }

  @Test
  void statusAndResetShowAndForgetTheLedger() {
    assertThat(Cli.run("status", orders.toString()).out())
        .contains("pipeline orders has never run");
    Cli.run(
        "backfill",
        orders.toString(),
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-05",
        "--parallel",
        "2");
    Cli.Result status = Cli.run("status", orders.toString());
    assertThat(status.exit()).isZero();
    assertThat(status.out())
        .contains("5 windows: 5 done (pipeline orders)")
        .contains("2024-03-03  done");
    Cli.Result reset = Cli.run("reset", orders.toString(), "--window", "2024-03-02");
    assertThat(reset.out()).contains("reset 1 window of pipeline orders (window 2024-03-02)");
    assertThat(Cli.run("run", orders.toString()).out())
        .contains("5 windows: 1 loaded, 4 unchanged, 0 failed");
    assertThat(Cli.run("reset", orders.toString()).out())
        .contains("reset 5 windows of pipeline orders");
  }

  @Test
  void statusDoesNotCreateAMissingDuckDbFile() throws Exception {
    Path db = tmp.resolve("orders/orders.duckdb");
    Cli.Result text = Cli.run("status", orders.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .isEqualTo(
            "pipeline orders has never run: there is no DuckDB file jdbc:duckdb:" + db + "\n");
    Cli.Result json = Cli.run("status", orders.toString(), "--output", "json");
    assertThat(json.exit()).isZero();
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.get("pipeline").asText()).isEqualTo("orders");
    assertThat(doc.get("windows")).isEmpty();
    assertThat(db).doesNotExist();
    assertThat(tmp.resolve("orders/orders.duckdb.wal")).doesNotExist();

    assertThat(Cli.run("run", orders.toString(), "--window", "2024-03-01").exit()).isZero();
    assertThat(Cli.run("status", orders.toString()).out())
        .contains("1 window: 1 done (pipeline orders)");
  }

  @Test
  void runResultsShowEveryCountOfTheRowRule() throws Exception {
    Cli.Result r = Cli.run("run", summary.toString(), "--output", "json", "--window", "2024-03-01");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode w = new ObjectMapper().readTree(r.out()).get("windows").get(0);
    long read = w.get("read").asLong();
    assertThat(w.get("inserted").asLong()).isEqualTo(1);
    assertThat(w.get("reshaped").asLong())
        .isEqualTo(read - w.get("folded").asLong() - 1); // the day's rows aggregated into one
    long sum = 0;
    for (String f :
        new String[] {
          "discarded",
          "reshaped",
          "folded",
          "inserted",
          "updated",
          "unchanged",
          "skipped",
          "deleted"
        }) {
      sum += w.get(f).asLong();
    }
    assertThat(sum).isEqualTo(read);
    assertThat(w.has("replaced")).isTrue();

    Cli.Result forced =
        Cli.run("run", summary.toString(), "--window", "2024-03-01", "--force", "--wide");
    assertThat(forced.exit()).as(forced.err()).isZero();
    String header = forced.out().lines().findFirst().orElseThrow();
    assertThat(header.split("\\s+"))
        .containsSubsequence(
            "read",
            "discarded",
            "reshaped",
            "folded",
            "inserted",
            "updated",
            "unchanged",
            "skipped",
            "deleted",
            "replaced",
            "target",
            "rows");
  }

  @Test
  void aJdbcSourceLoadsDayWindowsFromAQuery() throws Exception {
    Path src = tmp.resolve("src.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + src);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE events (id BIGINT, updated_at TIMESTAMP)");
      st.execute(
          "INSERT INTO events VALUES (1, '2024-03-01 08:00:00'), (2, '2024-03-01 23:59:59'), (3, '2024-03-02 00:00:00')");
    }
    Path pipeline = tmp.resolve("events.yaml");
    Files.writeString(
        pipeline,
        """
        pipeline: events
        source:
          type: jdbc
          url: jdbc:duckdb:%s
          query: SELECT id, updated_at FROM events WHERE updated_at >= :window_start AND updated_at < :window_end
          lag: 1h
        columns:
          id: integer not null
          updated_at: timestamp not null
        windows: {kind: day, column: updated_at}
        target: {table: events, key: [id], strategy: merge, order_by: updated_at}
        """
            .formatted(src));
    Cli.Result first = Cli.run("run", pipeline.toString());
    assertThat(first.exit()).as(first.err() + first.out()).isZero();
    assertThat(first.out()).contains("2 windows: 2 loaded, 0 unchanged, 0 failed");
    assertThat(Cli.run("run", pipeline.toString()).out())
        .contains("2 windows: 0 loaded, 2 unchanged, 0 failed");
    assertThat(
            query(
                tmp.resolve("events.duckdb"),
                "SELECT id, CAST(updated_at AS VARCHAR) FROM events ORDER BY id"))
        .hasSize(3);
  }

  @Test
  void helpTextsSayTheSameExitCodesAndWholeSentences() {
    Cli.Result top = Cli.run("--help");
    assertThat(top.exit()).isZero();
    for (String command : new String[] {"run", "backfill", "status", "check", "doctor", "reset"}) {
      String line =
          top.out()
              .lines()
              .filter(l -> l.strip().startsWith(command + " "))
              .findFirst()
              .orElseThrow();
      assertThat(line.strip())
          .as(line)
          .endsWith("."); // picocli lists the first line of each description, cut at the width
    }
    for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"backfill", "--help"}}) {
      String help = Cli.run(args).out().replaceAll("\\s+", " ");
      for (String code :
          new String[] {
            ExitCode.HELP_OK,
            ExitCode.HELP_FAILED,
            ExitCode.HELP_USAGE,
            ExitCode.HELP_PARTLY_FAILED,
            ExitCode.HELP_HELD,
            ExitCode.HELP_SIGINT,
            ExitCode.HELP_SIGTERM
          }) {
        assertThat(help).contains(code.replaceFirst(":", " "));
      }
      assertThat(help)
          .contains(
              "0 every selected window is done: loaded, unchanged, or finished by another runner")
          .contains(
              "4 no window failed, but some are still held by live runners after --lock-timeout");
    }
    assertThat(Cli.run("run", "--help").out().replaceAll("\\s+", " "))
        .contains("Destructive")
        .contains("and SQL transforms as the parameter logical_date.");
  }

  @Test
  void exitCodesSayWhatHappened() throws IOException {
    Files.writeString(
        tmp.resolve("orders/data/orders-2024-03-06.csv"),
        "order_id,customer,product,quantity,amount,status,order_ts,ingested_at\n"
            + "6001,acme,widget,lots,1.00,new,2024-03-06 08:00:00,2024-03-06 08:00:01\n",
        StandardCharsets.UTF_8);
    Cli.Result partly = Cli.run("run", orders.toString());
    assertThat(partly.exit()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(partly.out())
        .contains("6 windows: 5 loaded, 0 unchanged, 1 failed")
        .contains("FAILED")
        .contains("orders-2024-03-06.csv:2: column quantity: 'lots' is not an integer");

    Cli.Result failed = Cli.run("run", orders.toString(), "--window", "2024-03-06");
    assertThat(failed.exit()).isEqualTo(ExitCode.FAILED);

    Cli.Result ok = Cli.run("run", orders.toString(), "--from", "2024-03-01", "--to", "2024-03-05");
    assertThat(ok.exit()).isEqualTo(ExitCode.OK);

    Cli.Result config = Cli.run("run", orders.toString(), "--set", "target.strategy=mrege");
    assertThat(config.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(config.err())
        .isEqualTo(
            "idem: --set target.strategy: unknown strategy 'mrege': expected append, merge, replace_window or replace_table\n");

    Cli.Result usage = Cli.run("run", orders.toString(), "--bogus");
    assertThat(usage.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(usage.err()).startsWith("idem: Unknown option: '--bogus'");

    assertThat(Cli.run("backfill", orders.toString()).exit())
        .isEqualTo(ExitCode.USAGE); // --from/--to missing
    assertThat(Cli.run("run", orders.toString(), "--window", "yesterday").exit())
        .isEqualTo(ExitCode.USAGE);
    assertThat(Cli.run("run", tmp.resolve("nope.yaml").toString()).exit())
        .isEqualTo(ExitCode.USAGE);
    assertThat(Cli.run().exit()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void errorsAreOneLineAndVerboseAddsTheStack() throws IOException {
    Files.writeString(
        orders, Files.readString(orders).replace("  strategy: merge", "  strtegy: merge"));
    Cli.Result r = Cli.run("run", orders.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .isEqualTo(
            "idem: "
                + orders
                + ":30: unknown key 'strtegy' in target: expected one of table, columns, key, "
                + "strategy, order_by, delete_flag, deletes, tombstone_retention (did you mean 'strategy'?)\n");
    Cli.Result verbose = Cli.run("run", orders.toString(), "--verbose");
    assertThat(verbose.err().lines().count()).isGreaterThan(3);
    assertThat(verbose.err()).contains("at dev.idem.cli");
  }

  /**
   * The command line remembers which days each input file holds in the directory IDEM_SCAN_CACHE
   * names (ScanCacheTest shows a re-run then parses nothing); {@code off} keeps nothing.
   */
  @Test
  void theScanCacheIsTheDirectoryTheEnvironmentNames() throws IOException {
    Path cache = tmp.resolve("scan-cache");
    Cli.Result first =
        Cli.run(Map.of("IDEM_SCAN_CACHE", cache.toString()), "run", orders.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    try (var entries = Files.walk(cache)) {
      assertThat(entries.filter(p -> p.toString().endsWith(".scan")).count())
          .as("one entry per input file")
          .isEqualTo(5);
    }
    Path none = tmp.resolve("no-cache");
    Cli.Result again =
        Cli.run(
            Map.of("IDEM_SCAN_CACHE", "off", "XDG_CACHE_HOME", none.toString()),
            "run",
            orders.toString());
    assertThat(again.out()).contains("5 windows: 0 loaded, 5 unchanged, 0 failed");
    assertThat(none).doesNotExist();
  }

  @Test
  void valuesFromTheEnvironmentAreNeverPrinted() throws IOException {
    Files.writeString(
        orders,
        Files.readString(orders)
            + "destination:\n  url: jdbc:nosuchdriver://${env:DB_USER}:${env:DB_PASSWORD}@db/x\n  password: ${env:DB_PASSWORD}\n");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DB_USER", "loader-account");
    env.put("DB_PASSWORD", "correct-horse-battery");
    for (String output : new String[] {"text", "json"}) {
      Cli.Result r = Cli.run(env, "run", orders.toString(), "--output", output, "--verbose");
      assertThat(r.exit()).isNotZero();
      assertThat(r.out() + r.err())
          .doesNotContain("correct-horse-battery")
          .doesNotContain("loader-account");
    }
    Cli.Result status =
        Cli.run(
            env,
            "status",
            orders.toString(),
            "--set",
            "destination.url=jdbc:duckdb:${env:DB_PASSWORD}.duckdb");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out() + status.err()).doesNotContain("correct-horse-battery").contains("***");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"run", "backfill", "status", "check", "doctor", "reset"}) {
      Cli.Result r = Cli.run(command, "--help");
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("Usage: idem " + command).contains("--set").contains("--output");
    }
  }

  private static Map<Long, String> query(Path db, String sql) throws SQLException {
    Map<Long, String> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getString(2));
      }
    }
    return rows;
  }
}
