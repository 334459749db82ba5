package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.ledger.WindowCounts;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code on_bad_value: null} end to end, on DuckDB and PostgreSQL: a row whose only bad values are
 * in nullable, non-key columns loads with them NULL; each nulled value is kept in {@code
 * _idem.nulled_values} (queryable, listed by {@code idem dlq nulled}) and counted in the ledger's
 * {@code values_nulled}; a re-run replaces the window's nulled values instead of adding to them. A
 * bad value in a key, not-null or window column, or in a column whose own policy is dead_letter,
 * still dead-letters its record, whose reason names every bad column.
 */
class NulledValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path pipeline(String url) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: nv",
            "source:",
            "  type: csv",
            "  path: data/*.csv",
            "columns:",
            "  order_id: integer",
            "  amount: decimal(12,2)",
            "  qty: integer not null",
            "  code:",
            "    type: integer",
            "    on_bad_value: dead_letter",
            "  ingested_at: timestamp",
            "windows:",
            "  kind: day",
            "  column: ingested_at",
            "target:",
            "  table: orders",
            "  key: [order_id]",
            "  strategy: merge",
            "destination:",
            "  url: \"" + url + "\"",
            "on_bad_value: null",
            "max_bad_records: 10",
            ""));
    Files.writeString(
        dir.resolve("data/orders.csv"),
        String.join(
            "\n",
            "order_id,amount,qty,code,ingested_at",
            "1,abc,2,7,2024-03-01 08:00:00",
            "2,xyz,zz,7,2024-03-01 09:00:00",
            "x3,1.00,1,7,2024-03-01 10:00:00",
            "4,1.00,1,q,2024-03-01 11:00:00",
            "5,2.50,1,7,2024-03-01 25:00:00",
            "6,oops,3,8,2024-03-01 12:00:00",
            "7,1.50,1,9,2024-03-01 13:00:00",
            ""),
        StandardCharsets.UTF_8);
    return p;
  }

  private String url(String kind) {
    return kind.equals("duckdb")
        ? "jdbc:duckdb:" + dir.resolve("nv.duckdb")
        : EmbeddedPostgresServer.newDatabase();
  }

  private static JdbcDestination open(String url) {
    return JdbcDestination.open(
        url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void theRowLoadsWithNullAndTheValueIsRecordedOnce(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url);
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("2 values nulled (idem dlq nulled)");

    for (int run = 0; run < 2; run++) {
      try (JdbcDestination d = open(url)) {
        assertThat(d.tableRows("(SELECT order_id, amount FROM orders ORDER BY order_id)"))
            .containsExactly(
                "order_id=1|amount=null", "order_id=6|amount=null", "order_id=7|amount=1.50");
        // the query docs/dead-letters.md shows
        assertThat(
                d.tableRows(
                    "(SELECT window_id, position, column_name, raw, reason"
                        + " FROM _idem.nulled_values WHERE pipeline = 'nv' ORDER BY seq)"))
            .containsExactly(
                "window_id=2024-03-01|position=data/orders.csv:2|column_name=amount|raw=abc"
                    + "|reason=column amount: 'abc' is not a decimal(12,2)",
                "window_id=2024-03-01|position=data/orders.csv:7|column_name=amount|raw=oops"
                    + "|reason=column amount: 'oops' is not a decimal(12,2)");
        WindowCounts c = d.ledger().state("nv", "2024-03-01").orElseThrow().counts();
        assertThat(c.valuesNulled()).isEqualTo(2);
        // the nulled rows are loaded rows: the row balance is exact
        assertThat(c.inserted() + c.updated() + c.unchanged()).isEqualTo(3);
        assertThat(c.deadLettered()).isEqualTo(4);
        assertThat(c.balanced()).as("%s", c).isTrue();
      }
      // a forced re-run replaces the window's nulled values: never twice
      Cli.Result again = Cli.run("run", p.toString(), "--force", "--output", "json");
      assertThat(again.exit()).as(again.out() + again.err()).isZero();
      assertThat(JSON.readTree(again.out()).get("windows").get(0).get("values_nulled").asLong())
          .isEqualTo(2);
    }

    JsonNode listed =
        JSON.readTree(Cli.run("dlq", "nulled", p.toString(), "--output", "json").out())
            .get("nulled_values");
    assertThat(listed).hasSize(2);
    assertThat(listed.get(0).get("column").asText()).isEqualTo("amount");
    assertThat(listed.get(0).get("raw").asText()).isEqualTo("abc");
    assertThat(Cli.run("status", p.toString()).out())
        .contains("values nulled (on_bad_value null): 2 in 1 window(s)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void keyNotNullWindowAndDeadLetterColumnsStillDeadLetterTheRecord(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url);
    assertThat(Cli.run("run", p.toString()).exit()).isZero();
    JsonNode letters =
        JSON.readTree(Cli.run("dlq", "list", p.toString(), "--output", "json").out())
            .get("dead_letters");
    List<String> reasons =
        List.of(
            letters.get(0).get("reason").asText(),
            letters.get(1).get("reason").asText(),
            letters.get(2).get("reason").asText(),
            letters.get(3).get("reason").asText());
    assertThat(reasons)
        .containsExactlyInAnyOrder(
            // every bad column is named, with its raw value and why it was not nulled
            "column amount: 'xyz' is not a decimal(12,2); column qty: 'zz' is not an integer"
                + " (not nulled: declared not null)",
            "column order_id: 'x3' is not an integer (not nulled: a key column)",
            "column code: 'q' is not an integer (not nulled: on_bad_value dead_letter)",
            "column ingested_at: '2024-03-01 25:00:00' is not a timestamp: expected"
                + " yyyy-MM-ddTHH:mm:ss[.fff], e.g. 2024-03-15T07:00:00");
    try (JdbcDestination d = open(url)) {
      assertThat(d.tableRows("(SELECT order_id FROM orders ORDER BY order_id)"))
          .containsExactly("order_id=1", "order_id=6", "order_id=7");
    }
  }

  @Test
  void anOrderByOrDeleteColumnIsNeverNulled() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path p = dir.resolve("cdc.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: cdc",
            "source:",
            "  type: csv",
            "  path: data/*.csv",
            "columns:",
            "  id: integer",
            "  version: integer",
            "  gone: boolean",
            "  note: integer",
            "  ingested_at: timestamp",
            "windows:",
            "  kind: day",
            "  column: ingested_at",
            "target:",
            "  table: things",
            "  key: [id]",
            "  strategy: merge",
            "  order_by: version",
            "  delete_flag: gone",
            "destination:",
            "  url: \"jdbc:duckdb:" + dir.resolve("cdc.duckdb") + "\"",
            "on_bad_value: null",
            "max_bad_records: 10",
            ""));
    Files.writeString(
        dir.resolve("data/things.csv"),
        String.join(
            "\n",
            "id,version,gone,note,ingested_at",
            "1,v2,false,1,2024-03-01 08:00:00",
            "2,3,maybe,1,2024-03-01 09:00:00",
            "3,4,false,n,2024-03-01 10:00:00",
            ""),
        StandardCharsets.UTF_8);
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode letters =
        JSON.readTree(Cli.run("dlq", "list", p.toString(), "--output", "json").out())
            .get("dead_letters");
    assertThat(
            List.of(letters.get(0).get("reason").asText(), letters.get(1).get("reason").asText()))
        .allSatisfy(reason -> assertThat(reason).containsPattern("\\(not nulled: "))
        .anySatisfy(reason -> assertThat(reason).endsWith("(not nulled: an order_by column)"))
        .anySatisfy(reason -> assertThat(reason).endsWith("(not nulled: the delete column)"));
    assertThat(letters).hasSize(2);
    try (JdbcDestination d = open("jdbc:duckdb:" + dir.resolve("cdc.duckdb"))) {
      // only the row whose bad value was an ordinary column loads, with it NULL
      assertThat(d.tableRows("(SELECT id, note FROM things)")).containsExactly("id=3|note=null");
    }
  }
}
