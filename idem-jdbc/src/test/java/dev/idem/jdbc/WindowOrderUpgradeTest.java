package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A merge target made before window order keys existed (no {@code _idem_window_order}) gets the
 * column on open, filled for the rows it holds, so ties against those rows follow window order; on
 * PostgreSQL the column compares bytewise ({@code COLLATE "C"}).
 */
class WindowOrderUpgradeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgresql"})
  void anOlderTargetGetsItsRowsWindowOrderKeysOnOpen(String database) {
    Schema schema =
        Schema.of(
            Column.of("id", DataType.INTEGER),
            Column.of("who", DataType.STRING),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("ts", DataType.TIMESTAMP));
    ListSource source =
        new ListSource(schema)
            .add(1L, "ada", new BigDecimal("10.00"), LocalDateTime.parse("2024-03-01T08:00:00"));
    Pipeline p =
        Pipeline.builder("old")
            .source(source)
            .windows(WindowSpec.day("ts", ZoneOffset.UTC))
            .table("old")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .orderBy("amount")
            .build();
    try (JdbcDestination d =
        JdbcDestination.open(
            database.equals("duckdb")
                ? "jdbc:duckdb:" + dir.resolve("old.duckdb")
                : EmbeddedPostgresServer.newDatabase(),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(2))) {
      // as an idem without window order keys left it: day 2's version of order 1, with the same
      // amount as day 1's
      TableSnapshot.execute(
          d,
          "CREATE TABLE old (id BIGINT, who VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP,"
              + " _idem_window VARCHAR NOT NULL)");
      TableSnapshot.execute(
          d,
          "INSERT INTO old VALUES (1, 'ann', 10.00, TIMESTAMP '2024-03-02 08:00:00', '2024-03-02'),"
              + " (2, 'bob', 1.00, TIMESTAMP '2024-03-02 09:00:00', '2024-03-02')");
      TableSnapshot.execute(d, "CREATE UNIQUE INDEX old_by_id ON old (id)");

      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, p.windows().range("2024-03-01", "2024-03-01"), RunOptions.defaults("up"));

      assertThat(r.ok()).as("%s", r.outcomes()).isTrue();
      assertThat(TableSnapshot.rows(d, "(SELECT _idem_window, _idem_window_order AS k FROM old)"))
          .containsExactly(
              "_idem_window=2024-03-01|k=2024-03-01", "_idem_window=2024-03-02|k=2024-03-02");
      // the tie on amount goes to the earlier window, day 1
      assertThat(TableSnapshot.rows(d, "(SELECT id, who FROM old)"))
          .containsExactly("id=1|who=ada", "id=2|who=bob");
      if (database.equals("postgresql")) {
        assertThat(
                TableSnapshot.rows(
                    d,
                    "(SELECT collation_name FROM information_schema.columns"
                        + " WHERE table_name = 'old' AND column_name = '_idem_window_order')"))
            .containsExactly("collation_name=C");
      }
    }
  }
}
