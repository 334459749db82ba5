package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.cli.crash.ChildIdem;
import dev.idem.context.RunServices;
import dev.idem.fault.HaltAt;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.dialect.postgres.PostgresDialect;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code idem doctor} end to end on DuckDB and PostgreSQL: a real {@code idem run} killed with
 * {@code Runtime.halt} in a child JVM leaves a stale lease, a bad record fails a window, a test
 * session sits idle in a transaction on the target, a killed verify's scratch database is left on
 * the server; doctor reports them (text and JSON), {@code --fix} resolves what it can, and the next
 * {@code idem run} leaves the table a clean run leaves.
 */
class DoctorCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADER = "order_id,customer,amount,ingested_at\n";

  @TempDir Path tmp;

  private static void orders(Path dir, boolean bad) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int day = 1; day <= 3; day++) {
      StringBuilder csv = new StringBuilder(HEADER);
      for (int i = 0; i < 50; i++) {
        int id = day * 40 + i; // days overlap by 10 ids: later days correct earlier ones
        String amount = bad && day == 2 && i == 7 ? "abc" : (id % 97) + "." + (i % 10) + "0";
        csv.append(id)
            .append(",c")
            .append(i % 7)
            .append(',')
            .append(amount)
            .append(",2024-03-0")
            .append(day)
            .append(' ')
            .append(String.format("%02d", i % 24))
            .append(":00:00\n");
      }
      Files.writeString(data.resolve("orders-2024-03-0" + day + ".csv"), csv);
    }
  }

  private String url(String kind, Path dir) {
    return kind.equals("duckdb")
        ? "jdbc:duckdb:" + dir.resolve("orders.duckdb")
        : EmbeddedPostgresServer.newDatabase();
  }

  /**
   * A workspace with the orders pipeline (merge, day windows) and a snapshot pipeline
   * (replace_table, one full window).
   */
  private Path workspace(String name, String kind, boolean bad) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    orders(dir, bad);
    String url = url(kind, dir);
    Files.writeString(dir.resolve("url"), url);
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        OrdersPipeline.yaml("orders", "data/orders-*.csv", "ingested_at", "\"" + url + "\"", ""));
    Files.writeString(
        dir.resolve("snapshot.yaml"),
        OrdersPipeline.yaml("snapshot", "data/orders-*.csv", "ingested_at", "\"" + url + "\"", "")
            .replace("  kind: day\n  column: ingested_at\n", "  kind: full\n")
            .replace("table: orders", "table: snapshot")
            .replace("strategy: merge", "strategy: replace_table")
            .replace("  order_by: ingested_at\n", ""));
    return dir;
  }

  /** The destination as messages name it: the user in a PostgreSQL URL is masked. */
  private static String where(Path dir) throws Exception {
    return Files.readString(dir.resolve("url")).replace("?user=postgres", "?user=***");
  }

  private static List<String> rows(Path dir, String table) throws Exception {
    try (JdbcDestination d =
        JdbcDestination.open(
            Files.readString(dir.resolve("url")),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5))) {
      return d.tableRows(table);
    }
  }

  private static List<String> kinds(Cli.Result doctor) throws Exception {
    List<String> kinds = new ArrayList<>();
    JSON.readTree(doctor.out())
        .get("findings")
        .forEach(f -> kinds.add(f.get("kind").asText() + " " + f.get("subject").asText()));
    return kinds;
  }

  /**
   * Runs doctor (JSON) until the dead runner's lease has expired by the destination's clock, as a
   * scheduler's next tick would.
   */
  private static Cli.Result awaitStaleLease(Path file, String window) throws Exception {
    for (int i = 0; i < 200; i++) {
      Cli.Result r = Cli.run("doctor", file.toString(), "--output", "json");
      if (kinds(r).contains("stale_lease " + window)) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no stale lease on " + window);
  }

  private static ChildIdem.Result haltedRun(Path dir, String file, String spec) throws Exception {
    ChildIdem.Result r =
        ChildIdem.run(
            dir, List.of("-D" + HaltAt.PROPERTY + "=" + spec), "run", file, "--lease-ttl", "1s");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(HaltAt.STATUS);
    return r;
  }

  @Test
  void aDuckDbFileThatDoesNotExistIsNotCreated() throws Exception {
    Path dir = workspace("never", "duckdb", false);
    Cli.Result r = Cli.run("doctor", dir.resolve("pipeline.yaml").toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "pipeline orders has never run: there is no DuckDB file jdbc:duckdb:"
                + dir.resolve("orders.duckdb")
                + "\n");
    assertThat(dir.resolve("orders.duckdb")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aKilledRunAndAFailedWindowAreReportedFixedAndTheNextRunLoadsAsACleanRun(String kind)
      throws Exception {
    Path clean = workspace("clean-" + kind, kind, false);
    assertThat(Cli.run("run", clean.resolve("pipeline.yaml").toString()).exit()).isZero();

    Path dir = workspace("killed-" + kind, kind, true);
    Path file = dir.resolve("pipeline.yaml");
    haltedRun(dir, "pipeline.yaml", "mid_staging:2024-03-03");
    awaitStaleLease(file, "2024-03-03");

    Cli.Result text = Cli.run("doctor", file.toString());
    assertThat(text.exit()).as(text.err()).isEqualTo(1);
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0)).matches("kind +subject +fix +description");
    assertThat(lines.get(1))
        .matches(
            "failed_window +2024-03-02 +- +window 2024-03-02 failed at \\S+: .*data/orders-2024-03-02.csv:9: column amount: 'abc'"
                + " is not a decimal\\(12,2\\).*; the next run loads it again");
    assertThat(lines.get(2))
        .matches(
            "stale_lease +2024-03-03 +--fix +window 2024-03-03 is held by runner \\d+:.*, which is gone: .*"
                + "; the next run takes it over \\(--fix marks it failed now, under lease token \\d+\\)");
    String where = where(dir);
    assertThat(lines.get(3))
        .isEqualTo(
            "2 findings for pipeline orders in "
                + where
                + ": 1 can be fixed with idem doctor --fix");
    assertThat(lines).hasSize(4);

    Cli.Result json = Cli.run("doctor", file.toString(), "--output", "json");
    JsonNode doc = JSON.readTree(json.out());
    assertThat(json.exit()).isEqualTo(1);
    assertThat(doc.get("exit_code").asInt()).isEqualTo(1);
    assertThat(doc.get("fixes")).isEmpty();
    assertThat(kinds(json)).containsExactly("failed_window 2024-03-02", "stale_lease 2024-03-03");
    assertThat(doc.get("findings").get(1).get("fixable").asBoolean()).isTrue();

    Cli.Result fixed = Cli.run("doctor", file.toString(), "--fix");
    assertThat(fixed.exit()).as("the failed windows remain until a run loads them").isEqualTo(1);
    assertThat(fixed.out())
        .contains("fixed stale_lease 2024-03-03: window 2024-03-03: marked failed, lease token ")
        .containsPattern(
            "failed_window +2024-03-02 +- +window 2024-03-02 failed at \\S+: more than max_bad_records 0 bad records")
        .containsPattern(
            "failed_window +2024-03-03 +- +window 2024-03-03 failed at \\S+: its runner \\d+:.*"
                + " stopped without finishing \\(its lease ran until \\S+\\); released by idem doctor; the next run loads it again")
        .endsWith("2 findings remain for pipeline orders in " + where + "\n");

    orders(dir, false); // the bad record is corrected at its source
    Cli.Result run = Cli.run("run", file.toString());
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    Cli.Result healthy = Cli.run("doctor", file.toString(), "--fix");
    assertThat(healthy.exit()).isZero();
    assertThat(healthy.out())
        .isEqualTo("no findings: nothing is left behind for pipeline orders in " + where + "\n");
    assertThat(rows(dir, "orders")).isEqualTo(rows(clean, "orders"));
  }

  /**
   * A runner killed mid-window with the default 10-minute lease: its window is shown stale, its
   * runner gone, at once (not after the lease), by status and doctor, and a plain run takes it over
   * and exits 0 with every window done.
   */
  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aKilledRunnersWindowIsShownGoneAndTakenOverWithoutWaitingForItsLease(String kind)
      throws Exception {
    Path clean = workspace("gone-clean-" + kind, kind, false);
    assertThat(Cli.run("run", clean.resolve("pipeline.yaml").toString()).exit()).isZero();
    Path dir = workspace("gone-" + kind, kind, false);
    Path file = dir.resolve("pipeline.yaml");
    ChildIdem.Result halted =
        ChildIdem.run(
            dir,
            List.of("-D" + HaltAt.PROPERTY + "=mid_staging:2024-03-03"),
            "run",
            "pipeline.yaml");
    assertThat(halted.exit()).as(halted.stderr()).isEqualTo(HaltAt.STATUS);

    // a killed process's connections close with it; the server ends their sessions a moment later
    Cli.Result status = awaitStatus(file, "2024-03-03", "stale");
    assertThat(status.out())
        .containsPattern(
            "2024-03-03 +stale .*held by \\d+:\\S+ for \\S+.*, gone: the next run takes it over");
    JsonNode window = null;
    for (JsonNode w :
        JSON.readTree(Cli.run("status", file.toString(), "--output", "json").out())
            .get("windows")) {
      if (w.get("window").asText().equals("2024-03-03")) {
        window = w;
      }
    }
    assertThat(window).isNotNull();
    assertThat(window.get("status").asText()).isEqualTo("stale");
    assertThat(window.get("owner_alive").asBoolean(true)).isFalse();
    assertThat(Instant.parse(window.get("lease_expires").asText()))
        .as("the lease has not expired")
        .isAfter(Instant.now().plus(Duration.ofMinutes(5)));
    assertThat(kinds(Cli.run("doctor", file.toString(), "--output", "json")))
        .containsExactly("stale_lease 2024-03-03");

    Cli.Result run = Cli.run("run", file.toString(), "--output", "json");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(JSON.readTree(run.out()).get("summary").get("held").asInt()).isZero();
    assertThat(rows(dir, "orders")).isEqualTo(rows(clean, "orders"));
    assertThat(Cli.run("doctor", file.toString()).exit()).isZero();
  }

  private static Cli.Result awaitStatus(Path file, String window, String status) throws Exception {
    Cli.Result r = null;
    for (int i = 0; i < 100; i++) {
      r = Cli.run("status", file.toString());
      if (r.out()
          .lines()
          .anyMatch(
              l ->
                  l.startsWith(window)
                      && l.substring(window.length()).strip().startsWith(status))) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("window " + window + " never showed " + status + ": " + r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aReplaceTableLoadKilledBeforeCommitLeavesOnlyItsLeaseNoStagingTable(String kind)
      throws Exception {
    Path clean = workspace("snapshot-clean-" + kind, kind, false);
    assertThat(Cli.run("run", clean.resolve("snapshot.yaml").toString()).exit()).isZero();

    Path dir = workspace("snapshot-killed-" + kind, kind, false);
    Path file = dir.resolve("snapshot.yaml");
    haltedRun(dir, "snapshot.yaml", "before_commit:full");
    // the staged rows lived in temporary tables of the killed process's session: the server drops
    // them with it
    assertThat(awaitNoStagingRelation(dir)).isEmpty();
    assertThat(kinds(awaitStaleLease(file, "full"))).containsExactly("stale_lease full");

    assertThat(Cli.run("doctor", file.toString(), "--fix").exit()).isEqualTo(1);
    assertThat(Cli.run("run", file.toString()).exit()).isZero();
    assertThat(Cli.run("doctor", file.toString()).exit()).isZero();
    assertThat(rows(dir, "snapshot")).isEqualTo(rows(clean, "snapshot"));
  }

  /**
   * Relations named like idem's staging, in any schema (temporary ones included); waits a little
   * for a dead session's backend to exit.
   */
  private static List<String> awaitNoStagingRelation(Path dir) throws Exception {
    String url = Files.readString(dir.resolve("url"));
    String query =
        url.startsWith("jdbc:postgresql:")
            ? "(SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('staged', 'idem_transformed', 'idem_rows'))"
            : "(SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('staged', 'idem_transformed', 'idem_rows'))";
    List<String> found = List.of();
    for (int i = 0; i < 100; i++) {
      try (JdbcDestination d =
          JdbcDestination.open(
              url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
        found = d.tableRows(query);
      }
      if (found.isEmpty()) {
        return found;
      }
      Thread.sleep(100);
    }
    return found;
  }

  @Test
  void onPostgresAnIdleTransactionAndAKilledVerifysDatabaseAreResolvedByFixWithExitZero()
      throws Exception {
    Path dir = workspace("server", "postgres", false);
    Path file = dir.resolve("pipeline.yaml");
    assertThat(Cli.run("run", file.toString()).exit()).isZero();
    String url = Files.readString(dir.resolve("url"));
    String orphan;
    try (Connection admin = DriverManager.getConnection(url);
        Connection holder = DriverManager.getConnection(url)) {
      Instant now;
      try (Statement s = admin.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT CAST(floor(extract(epoch FROM clock_timestamp())) AS bigint)")) {
        rs.next();
        now = Instant.ofEpochSecond(rs.getLong(1));
      }
      orphan = PostgresDialect.scratchName(now.minus(Duration.ofMinutes(30)), 0x5eedL);
      try (Statement s = admin.createStatement()) {
        s.execute("CREATE DATABASE " + orphan);
      }
      try {
        holder.setAutoCommit(false);
        int pid;
        try (Statement s = holder.createStatement();
            ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), count(*) FROM orders")) {
          rs.next();
          pid = rs.getInt(1);
        }
        for (int i = 0; i < 200; i++) {
          try (Statement s = admin.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT clock_timestamp() - state_change > interval '1 second'"
                          + " FROM pg_stat_activity WHERE pid = "
                          + pid
                          + " AND state = 'idle in transaction'")) {
            if (rs.next() && rs.getBoolean(1)) {
              break;
            }
          }
          Thread.sleep(50);
        }
        Cli.Result found =
            Cli.run("doctor", file.toString(), "--lease-ttl", "1s", "--output", "json");
        assertThat(found.exit()).isEqualTo(1);
        assertThat(kinds(found))
            .containsExactly("idle_transaction pid " + pid, "orphan_verify_database " + orphan);
        assertThat(JSON.readTree(found.out()).get("findings").get(0).get("description").asText())
            .contains("holding locks on public.orders")
            .endsWith("--fix ends it: pg_terminate_backend(" + pid + ")");

        Cli.Result fixed = Cli.run("doctor", file.toString(), "--lease-ttl", "1s", "--fix");
        assertThat(fixed.exit()).as(fixed.out()).isZero();
        assertThat(fixed.out())
            .isEqualTo(
                "fixed idle_transaction pid "
                    + pid
                    + ": pid "
                    + pid
                    + ": terminated (pg_terminate_backend), its transaction rolled back\n"
                    + "fixed orphan_verify_database "
                    + orphan
                    + ": database "
                    + orphan
                    + ": dropped\n"
                    + "no findings: nothing is left behind for pipeline orders in "
                    + where(dir)
                    + "\n");
      } finally {
        try (Statement s = admin.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + orphan);
        }
      }
    }
    assertThat(Cli.run("run", file.toString(), "--force").exit()).isZero();
  }
}
