package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source: {type: parquet}} end to end through the command line into DuckDB, the default
 * destination: Parquet files written by another engine (DuckDB's own Parquet writer: decimals,
 * timestamps with and without zone, nulls), cut into days, a value that does not fit its column a
 * dead letter naming file and row; the second run loads nothing. The source comes from the Iceberg
 * plugin, on this module's test class path as {@code plugins/iceberg/} is on the command line's.
 */
class ParquetCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private void parquet(String file, String select) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(
          "COPY (" + select + ") TO '" + dir.resolve("data").resolve(file) + "' (FORMAT parquet)");
    }
  }

  @Test
  void parquetFilesLoadIntoDuckDbByDayAndTheSecondRunLoadsNothing() throws Exception {
    parquet(
        "orders-1.parquet",
        "SELECT * FROM (VALUES"
            + " (1, 'ada', 10.50::DECIMAL(12,2), TIMESTAMP '2024-03-01 08:00:00',"
            + "  TIMESTAMPTZ '2024-03-01 08:00:00.123456+00', 2),"
            + " (2, NULL, NULL, TIMESTAMP '2024-03-01 09:30:00', NULL, NULL),"
            + " (3, 'cyd', 7.25::DECIMAL(12,2), TIMESTAMP '2024-03-02 10:00:00',"
            + "  TIMESTAMPTZ '2024-03-02 10:00:00+00', 1))"
            + " AS t(order_id, customer, amount, placed_at, paid_at, qty)");
    // another writer typed qty as text, one of its values no integer
    parquet(
        "orders-2.parquet",
        "SELECT * FROM (VALUES"
            + " (4, 'dee', 1.00::DECIMAL(12,2), TIMESTAMP '2024-03-02 11:00:00',"
            + "  TIMESTAMPTZ '2024-03-02 11:00:00+00', '3'),"
            + " (5, 'eve', 2.00::DECIMAL(12,2), TIMESTAMP '2024-03-02 12:00:00',"
            + "  TIMESTAMPTZ '2024-03-02 12:00:00+00', 'three'))"
            + " AS t(order_id, customer, amount, placed_at, paid_at, qty)");
    String url = "jdbc:duckdb:" + dir.resolve("orders.duckdb");
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: pq",
            "source:",
            "  type: parquet",
            "  path: data/*.parquet",
            "columns:",
            "  order_id: integer",
            "  customer: string",
            "  amount: decimal(12,2)",
            "  placed_at: timestamp",
            "  paid_at: timestamptz",
            "  qty: integer",
            "windows:",
            "  kind: day",
            "  column: placed_at",
            "target:",
            "  table: orders",
            "  key: [order_id]",
            "  strategy: merge",
            "destination:",
            "  url: \"" + url + "\"",
            "max_bad_records: 5",
            ""));

    Cli.Result first = Cli.run("run", p.toString(), "--output", "json");
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(results(first)).containsExactly("2024-03-01=loaded", "2024-03-02=loaded");
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      assertThat(
              d.tableRows(
                  "(SELECT order_id, customer, amount, placed_at, paid_at, qty FROM orders"
                      + " ORDER BY order_id)"))
          .containsExactly(
              "order_id=1|customer=ada|amount=10.50|placed_at=2024-03-01 08:00:00.0"
                  + "|paid_at=2024-03-01T08:00:00.123456Z|qty=2",
              "order_id=2|customer=null|amount=null|placed_at=2024-03-01 09:30:00.0"
                  + "|paid_at=null|qty=null",
              "order_id=3|customer=cyd|amount=7.25|placed_at=2024-03-02 10:00:00.0"
                  + "|paid_at=2024-03-02T10:00Z|qty=1",
              "order_id=4|customer=dee|amount=1.00|placed_at=2024-03-02 11:00:00.0"
                  + "|paid_at=2024-03-02T11:00Z|qty=3");
    }
    JsonNode letters =
        JSON.readTree(Cli.run("dlq", "list", p.toString(), "--output", "json").out())
            .get("dead_letters");
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).get("position").asText()).isEqualTo("data/orders-2.parquet:2");
    assertThat(letters.get(0).get("reason").asText())
        .isEqualTo("column qty: 'three' is not an integer");

    Cli.Result second = Cli.run("run", p.toString(), "--output", "json");
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    assertThat(results(second)).containsExactly("2024-03-01=unchanged", "2024-03-02=unchanged");
  }

  private static List<String> results(Cli.Result r) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode w : JSON.readTree(r.out()).get("windows")) {
      out.add(w.get("window").asText() + "=" + w.get("result").asText());
    }
    return out;
  }
}
