package dev.idem.jdbc.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query as source, on PostgreSQL (the source) into DuckDB (the destination), incrementally by
 * updated_at.
 */
class JdbcSourceTest {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("status", DataType.STRING),
          Column.of("updated_at", DataType.TIMESTAMP));
  private static final String QUERY =
      "SELECT id, status, updated_at FROM src WHERE updated_at >= :window_start AND updated_at < :window_end";
  private static final Clock NOW =
      Clock.fixed(Instant.parse("2024-03-05T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private static void sql(String url, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  private static Pipeline pipeline(JdbcSource source) {
    return Pipeline.builder("incremental")
        .source(source)
        .windows(WindowSpec.day("updated_at", ZoneOffset.UTC))
        .table("orders")
        .key(KeySpec.columns("id"))
        .orderBy("updated_at")
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  @Test
  void closedOpenWindowsWithALagLoadEachRowOnceAndFollowUpdates() throws Exception {
    String src = EmbeddedPostgresServer.newDatabase();
    sql(
        src,
        "CREATE TABLE src (id bigint primary key, status text, updated_at timestamp)",
        "INSERT INTO src VALUES (1, 'new', '2024-03-01 10:00'), (2, 'new', '2024-03-02 00:00'), (3, 'new', '2024-03-01 23:59:59.999999'),"
            + " (4, 'late', '2024-03-05 06:00')");
    JdbcSource source =
        new JdbcSource(
            src,
            new Properties(),
            QUERY,
            SCHEMA,
            Optional.of(
                "SELECT count(*), max(updated_at) FROM src WHERE updated_at >= :window_start AND updated_at < :window_end"),
            Duration.ofHours(2),
            2,
            NOW);
    Pipeline p = pipeline(source);
    List<Window> windows = source.windows(p.windows());
    // every day from the first to the last value, empty days included; 2024-03-05 ends after now
    // minus the lag: not complete, not offered
    assertThat(windows)
        .extracting(Window::id)
        .containsExactly("2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04");
    try (JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve("inc.duckdb"),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5))) {
      RunReport first =
          new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("r1"));
      assertThat(first.outcomes())
          .extracting(o -> o.counts().read())
          .containsExactly(2L, 1L, 0L, 0L); // 00:00 of the 2nd is the 2nd's, once
      assertThat(d.ledger().state("incremental", "2024-03-01"))
          .get()
          .satisfies(s -> assertThat(s.fingerprint()).startsWith("query:"));

      RunReport again =
          new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("r2"));
      assertThat(again.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.UNCHANGED);

      // order 1 changes on the 3rd; the 3rd becomes complete later
      sql(src, "UPDATE src SET status = 'shipped', updated_at = '2024-03-03 09:00' WHERE id = 1");
      JdbcSource later =
          new JdbcSource(
              src,
              new Properties(),
              QUERY,
              SCHEMA,
              Optional.empty(),
              Duration.ofHours(2),
              2,
              Clock.fixed(Instant.parse("2024-03-06T12:00:00Z"), ZoneOffset.UTC));
      Pipeline p2 = pipeline(later);
      RunReport next =
          new Runner(d, RunServices.defaults())
              .run(p2, later.windows(p2.windows()), RunOptions.defaults("r3"));
      assertThat(next.ok()).isTrue();
      assertThat(TableSnapshot.rows(d, "orders"))
          .containsExactly(
              "id=1|status=shipped|updated_at=2024-03-03 09:00:00.0|_idem_window=2024-03-03",
              "id=2|status=new|updated_at=2024-03-02 00:00:00.0|_idem_window=2024-03-02",
              "id=3|status=new|updated_at=2024-03-01 23:59:59.999999|_idem_window=2024-03-01",
              "id=4|status=late|updated_at=2024-03-05 06:00:00.0|_idem_window=2024-03-05");
    }
  }

  @Test
  void anIncompleteWindowIsRefused() throws Exception {
    String src = EmbeddedPostgresServer.newDatabase();
    sql(src, "CREATE TABLE src (id bigint, status text, updated_at timestamp)");
    JdbcSource source =
        new JdbcSource(
            src, new Properties(), QUERY, SCHEMA, Optional.empty(), Duration.ofHours(2), 100, NOW);
    Pipeline p = pipeline(source);
    try (JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve("x.duckdb"),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5))) {
      WindowOutcome o =
          new Runner(d, RunServices.defaults())
              .run(p, List.of(p.windows().window("2024-03-05")), RunOptions.defaults("r"))
              .outcomes()
              .get(0);
      assertThat(o.result()).isEqualTo(WindowOutcome.Result.FAILED);
      assertThat(o.message())
          .isEqualTo(
              "window 2024-03-05 is not complete yet: it ends at 2024-03-06T00:00:00Z and the source's lag is PT2H");
    }
  }

  @Test
  void aDuckDbFileIsASourceToo() throws Exception {
    String src = "jdbc:duckdb:" + dir.resolve("src.duckdb");
    sql(
        src,
        "CREATE TABLE src (id BIGINT, status VARCHAR, updated_at TIMESTAMP)",
        "INSERT INTO src SELECT i, 'n' || i, TIMESTAMP '2024-03-01 00:00:00' + i * INTERVAL 1 MINUTE FROM range(5000) t(i)");
    JdbcSource source =
        new JdbcSource(
            src, new Properties(), QUERY, SCHEMA, Optional.empty(), Duration.ZERO, 500, NOW);
    Pipeline p = pipeline(source);
    try (JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve("dst.duckdb"),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5))) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, source.windows(p.windows()), RunOptions.defaults("r"));
      assertThat(r.outcomes())
          .extracting(o -> o.counts().read())
          .containsExactly(1440L, 1440L, 1440L, 680L);
      assertThat(TableSnapshot.rows(d, "orders")).hasSize(5000);
    }
  }
}
