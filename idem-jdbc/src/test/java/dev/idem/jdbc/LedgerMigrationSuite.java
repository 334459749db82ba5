package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ledger migrations are forward-only and tested from every earlier version (issue 12, item 6),
 * subclassed per database. A ledger of version k is built by replaying the DDL that idem wrote for
 * versions 1..k, recorded at commit f6cfdba under {@code src/test/resources/ledger-history/} (never
 * computed from the code under test), holding done windows written by the current code plus failed
 * and running windows, dead letters and check results; the current code must migrate it to its own
 * version, to the shape of a ledger it creates fresh, keep every value, and skip the done windows
 * as UNCHANGED. A ledger of a newer version is refused.
 */
public abstract class LedgerMigrationSuite {
  /**
   * The newest version recorded in ledger-history (v1-v5 as f6cfdba wrote them; v6 nulled values;
   * v7 the notify outbox and the HTTP sent-request ledger).
   */
  static final int RECORDED_VERSIONS = 7;

  private static final List<String> TABLES =
      List.of("windows", "dead_letters", "checks", "outbox", "http_requests");
  private static final String FAILED_WINDOW = "2024-03-03";
  private static final String RUNNING_WINDOW = "2024-03-04";
  private static final Timestamp AT = Timestamp.valueOf(LocalDateTime.of(2024, 3, 4, 5, 6, 7));

  /** A new, empty database; its JDBC URL. */
  protected abstract String newDatabaseUrl();

  static IntStream earlierVersions() {
    return IntStream.rangeClosed(1, RECORDED_VERSIONS);
  }

  private static JdbcDestination open(String url) {
    return JdbcDestination.open(
        url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5));
  }

  private static ListSource orders() {
    Schema schema =
        Schema.of(
            Column.of("order_id", DataType.INTEGER),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("ingested_at", DataType.TIMESTAMP));
    ListSource s = new ListSource(schema);
    for (int day = 1; day <= 2; day++) {
      for (int i = 0; i < 5; i++) {
        s.add(
            (long) (day * 10 + i % 3),
            BigDecimal.valueOf(day * 100 + i, 2),
            LocalDateTime.of(2024, 3, day, i, 0));
      }
    }
    return s;
  }

  private static Pipeline pipeline(ListSource source) {
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .key(KeySpec.columns("order_id"))
        .orderBy("ingested_at")
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  @ParameterizedTest(name = "from version {0}")
  @MethodSource("earlierVersions")
  void aLedgerOfAnEarlierVersionIsMigratedKeepingTheMeaningOfEveryRow(int version)
      throws SQLException {
    String url = newDatabaseUrl();
    ListSource source = orders();
    Pipeline p = pipeline(source);
    List<Window> done = source.windows(p.windows());
    assertThat(done).hasSize(2);
    try (JdbcDestination d = open(url)) {
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, done, RunOptions.defaults("old-run"))
                  .ok())
          .isTrue();
    }
    int current;
    List<String> freshShape;
    Map<String, List<String>> before = new LinkedHashMap<>();
    Map<String, List<String>> columnsAtVersion = new LinkedHashMap<>();
    Map<String, Map<String, Object>> doneRows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url)) {
      current = schemaVersion(c);
      freshShape = shape(c);
      Map<String, List<Map<String, Object>>> written = new LinkedHashMap<>();
      for (String table : TABLES) {
        written.put(table, rows(c, table));
      }
      written.get("windows").forEach(r -> doneRows.put((String) r.get("window_id"), r));
      written.get("windows").addAll(List.of(failedWindow(p), runningWindow(p)));
      written.get("dead_letters").addAll(deadLetters());
      written.get("outbox").add(outboxEntry());
      written.get("http_requests").add(sentRequest());
      assertThat(written.get("checks")).as("a load records its check results").isNotEmpty();

      execute(c, "DROP SCHEMA \"_idem\" CASCADE");
      replay(c, "base.sql");
      for (int v = 1; v <= version; v++) {
        replay(c, "v" + v + ".sql");
      }
      execute(
          c,
          "INSERT INTO \"_idem\".\"meta\" (name, value) VALUES ('schema_version', '"
              + version
              + "')");
      for (String table : TABLES) {
        List<String> columns = columnsOf(c, table);
        if (!columns.isEmpty()) {
          columnsAtVersion.put(table, columns);
          insert(c, table, columns, written.get(table));
          before.put(table, text(c, table, columns));
        }
      }
    }
    assertThat(before.get("windows")).hasSize(4);

    try (JdbcDestination d = open(url)) {
      d.prepare(p);
      for (Window w : done) {
        Map<String, Object> row = doneRows.get(w.id());
        WindowState s = d.ledger().state("orders", w.id()).orElseThrow();
        assertThat(s.status()).isEqualTo(WindowStatus.DONE);
        assertThat(s.fingerprint()).isEqualTo(row.get("fingerprint"));
        assertThat(s.definitionHash()).isEqualTo(p.definitionHash());
        assertThat(s.counts().read()).isEqualTo(5);
        assertThat(s.counts().targetRows())
            .isEqualTo(((Number) row.get("target_rows")).longValue())
            .isPositive();
        assertThat(s.counts().deadLettered()).isZero();
        assertThat(s.counts().rolledBack()).isZero();
        assertThat(s.runId()).isEqualTo("old-run");
      }
      WindowState failed = d.ledger().state("orders", FAILED_WINDOW).orElseThrow();
      assertThat(failed.status()).isEqualTo(WindowStatus.FAILED);
      assertThat(failed.error()).isEqualTo("2 bad records, more than max_bad_records (0)");
      assertThat(failed.attempts()).isEqualTo(2);
      assertThat(failed.token()).isEqualTo(3);
      assertThat(failed.counts().read()).isEqualTo(50);
      assertThat(failed.counts().deadLettered()).isEqualTo(version >= 2 ? 2 : 0);
      assertThat(failed.counts().rolledBack()).isEqualTo(version >= 5 ? 48 : 0);
      WindowState running = d.ledger().state("orders", RUNNING_WINDOW).orElseThrow();
      assertThat(running.status()).isEqualTo(WindowStatus.RUNNING);
      assertThat(running.owner()).isEqualTo("old-runner");
      assertThat(running.token()).isEqualTo(7);
      assertThat(running.leaseExpires()).isEqualTo(AT.toLocalDateTime().toInstant(ZoneOffset.UTC));
      List<DeadLetter> letters = d.ledger().deadLetters("orders", Optional.of(FAILED_WINDOW), true);
      assertThat(letters)
          .extracting(DeadLetter::position)
          .containsExactlyElementsOf(
              version >= 2 ? List.of("orders.csv:4", "orders.csv:9") : List.of());
      assertThat(d.ledger().deadLetters("orders", Optional.of(FAILED_WINDOW), false))
          .hasSize(version >= 2 ? 1 : 0);

      RunReport again =
          new Runner(d, RunServices.defaults()).run(p, done, RunOptions.defaults("new-run"));
      assertThat(again.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.UNCHANGED)
          .hasSize(2);
    }
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(schemaVersion(c)).isEqualTo(current);
      assertThat(shape(c))
          .as("a migrated ledger has the shape of a fresh one")
          .containsExactlyElementsOf(freshShape);
      for (Map.Entry<String, List<String>> t : columnsAtVersion.entrySet()) {
        assertThat(text(c, t.getKey(), t.getValue()))
            .as("_idem.%s in the columns of version %d", t.getKey(), version)
            .containsExactlyElementsOf(before.get(t.getKey()));
      }
    }
  }

  @Test
  void aLedgerOfANewerVersionIsRefusedInOneLineAndLeftAsItIs() throws SQLException {
    String url = newDatabaseUrl();
    ListSource source = orders();
    Pipeline p = pipeline(source);
    try (JdbcDestination d = open(url)) {
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, source.windows(p.windows()), RunOptions.defaults("r"))
                  .ok())
          .isTrue();
    }
    int newer;
    List<String> before;
    try (Connection c = DriverManager.getConnection(url)) {
      newer = schemaVersion(c) + 1;
      execute(
          c, "UPDATE \"_idem\".\"meta\" SET value = '" + newer + "' WHERE name = 'schema_version'");
      execute(c, "ALTER TABLE \"_idem\".\"windows\" ADD COLUMN from_a_newer_idem VARCHAR");
      before = text(c, "windows", columnsOf(c, "windows"));
    }
    try (JdbcDestination d = open(url)) {
      assertThatThrownBy(() -> d.prepare(p))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(
              "schema version "
                  + newer
                  + ", newer than this idem understands ("
                  + (newer - 1)
                  + ")")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThatThrownBy(
              () ->
                  new Runner(d, RunServices.defaults())
                      .run(p, source.windows(p.windows()), RunOptions.defaults("r2")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("newer than this idem understands");
    }
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(schemaVersion(c)).isEqualTo(newer);
      assertThat(text(c, "windows", columnsOf(c, "windows"))).containsExactlyElementsOf(before);
    }
  }

  /**
   * Before version 7, the outbox and the sent-request ledger were created outside the chain by the
   * code that used them, in version 7's shape, on a ledger that said version 6: such a ledger
   * migrates, and keeps their rows.
   */
  @Test
  void aVersion6LedgerWhoseOutboxWasCreatedOutsideTheChainMigratesKeepingItsRows()
      throws SQLException {
    String url = newDatabaseUrl();
    ListSource source = orders();
    Pipeline p = pipeline(source);
    try (JdbcDestination d = open(url)) {
      d.prepare(p);
    }
    List<String> outbox;
    List<String> requests;
    try (Connection c = DriverManager.getConnection(url)) {
      execute(c, "DROP SCHEMA \"_idem\" CASCADE");
      replay(c, "base.sql");
      for (int v = 1; v <= 7; v++) {
        replay(c, "v" + v + ".sql");
      }
      execute(c, "INSERT INTO \"_idem\".\"meta\" (name, value) VALUES ('schema_version', '6')");
      insert(c, "outbox", columnsOf(c, "outbox"), List.of(outboxEntry()));
      insert(c, "http_requests", columnsOf(c, "http_requests"), List.of(sentRequest()));
      outbox = text(c, "outbox", columnsOf(c, "outbox"));
      requests = text(c, "http_requests", columnsOf(c, "http_requests"));
    }
    try (JdbcDestination d = open(url)) {
      d.prepare(p);
      assertThat(d.undelivered("orders"))
          .extracting(e -> e.windowId())
          .containsExactly("2024-03-01");
    }
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(schemaVersion(c)).isEqualTo(LedgerSchema.VERSION).isGreaterThan(6);
      assertThat(text(c, "outbox", columnsOf(c, "outbox"))).containsExactlyElementsOf(outbox);
      assertThat(text(c, "http_requests", columnsOf(c, "http_requests")))
          .containsExactlyElementsOf(requests);
    }
  }

  // ---- rows of an old ledger -------------------------------------------------------------------

  private static Map<String, Object> outboxEntry() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pipeline", "orders");
    r.put("window_id", "2024-03-01");
    r.put("event", "success");
    r.put("token", 1L);
    r.put("fingerprint", "f1");
    r.put("rows_inserted", 3L);
    r.put("rows_updated", 0L);
    r.put("rows_deleted", 0L);
    r.put("dead_letters", 0L);
    r.put("recorded_at_ms", 1_709_528_767_000L);
    return r;
  }

  private static Map<String, Object> sentRequest() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pipeline", "orders");
    r.put("request_key", "k1");
    r.put("window_id", "2024-03-01");
    r.put("token", 1L);
    r.put("phase", "unknown");
    r.put("payload_hash", "h1");
    r.put("method", "POST");
    r.put("url", "http://localhost/hook");
    r.put("body", "{}");
    r.put("sends", 1);
    r.put("planned_at_ms", 1_709_528_767_000L);
    r.put("first_sent_at_ms", 1_709_528_768_000L);
    return r;
  }

  private static Map<String, Object> failedWindow(Pipeline p) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pipeline", "orders");
    r.put("window_id", FAILED_WINDOW);
    r.put("status", "FAILED");
    r.put("definition_hash", p.definitionHash());
    r.put("rows_read", 50L);
    r.put("rows_dead_lettered", 2L);
    r.put("rows_rolled_back", 48L);
    r.put("run_id", "old-run");
    r.put("pipeline_version", "1");
    r.put("attempts", 2);
    r.put("token", 3L);
    r.put("started_at", AT);
    r.put("finished_at", AT);
    r.put("error", "2 bad records, more than max_bad_records (0)");
    return r;
  }

  private static Map<String, Object> runningWindow(Pipeline p) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pipeline", "orders");
    r.put("window_id", RUNNING_WINDOW);
    r.put("status", "RUNNING");
    r.put("definition_hash", p.definitionHash());
    r.put("run_id", "old-run");
    r.put("pipeline_version", "1");
    r.put("attempts", 1);
    r.put("owner", "old-runner");
    r.put("token", 7L);
    r.put("lease_expires", AT);
    r.put("started_at", AT);
    return r;
  }

  private static List<Map<String, Object>> deadLetters() {
    List<Map<String, Object>> letters = new ArrayList<>();
    for (int seq = 1; seq <= 2; seq++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("pipeline", "orders");
      r.put("window_id", FAILED_WINDOW);
      r.put("token", 3L);
      r.put("seq", (long) seq);
      r.put("position", seq == 1 ? "orders.csv:4" : "orders.csv:9");
      r.put("reason", "column amount: 'x' is not a decimal");
      r.put("raw", "1,x,2024-03-03 00:00:00");
      r.put("raw_bytes", 23L);
      r.put("raw_truncated", false);
      r.put("run_id", "old-run");
      r.put("created_at", AT);
      r.put("replayed_at", seq == 1 ? AT : null);
      r.put("replay_run_id", seq == 1 ? "replay-run" : null);
      letters.add(r);
    }
    return letters;
  }

  // ---- plain JDBC, independent of the code under test
  // --------------------------------------------

  private static void replay(Connection c, String resource) throws SQLException {
    try (InputStream in =
        LedgerMigrationSuite.class
            .getClassLoader()
            .getResourceAsStream("ledger-history/" + resource)) {
      assertThat(in).as("test resource ledger-history/%s", resource).isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
        if (!line.isBlank() && !line.startsWith("--")) {
          execute(c, line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static int schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT value FROM \"_idem\".\"meta\" WHERE name = 'schema_version'")) {
      assertThat(rs.next()).isTrue();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /** The ledger's tables and columns with their types, in order. */
  private static List<String> shape(Connection c) throws SQLException {
    List<String> shape = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = '_idem' ORDER BY table_name, ordinal_position")) {
      while (rs.next()) {
        shape.add(rs.getString(1) + "." + rs.getString(2) + " " + rs.getString(3));
      }
    }
    return shape;
  }

  private static List<String> columnsOf(Connection c, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = '_idem'"
                + " AND table_name = ? ORDER BY ordinal_position")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    return columns;
  }

  private static List<Map<String, Object>> rows(Connection c, String table) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM \"_idem\".\"" + table + "\"")) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * Inserts each row's values for the columns the table has (a newer column's value is dropped, as
   * an older idem never wrote it).
   */
  private static void insert(
      Connection c, String table, List<String> columns, List<Map<String, Object>> rows)
      throws SQLException {
    for (Map<String, Object> row : rows) {
      List<String> names = columns.stream().filter(row::containsKey).toList();
      String sql =
          "INSERT INTO \"_idem\".\""
              + table
              + "\" ("
              + String.join(", ", names)
              + ") VALUES ("
              + String.join(", ", names.stream().map(n -> "?").toList())
              + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < names.size(); i++) {
          ps.setObject(i + 1, row.get(names.get(i)));
        }
        ps.executeUpdate();
      }
    }
  }

  /** A table's whole content in the given columns, as sorted text rows. */
  private static List<String> text(Connection c, String table, List<String> columns)
      throws SQLException {
    String select =
        String.join(
            " || '|' || ",
            columns.stream()
                .map(n -> "'" + n + "=' || COALESCE(CAST(" + n + " AS VARCHAR), 'null')")
                .toList());
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + select + " FROM \"_idem\".\"" + table + "\"")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    rows.sort(null);
    return rows;
  }
}
