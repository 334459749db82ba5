package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.ledger.WindowState;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dead letters end to end, on DuckDB and PostgreSQL: bad records are kept with their position, raw
 * input and reason in the window's transaction; past the limits the window fails whole and its
 * letters are kept; {@code dlq replay} after the input is fixed reloads the window, marks the
 * letters replayed and converges to a clean run; replaying again does nothing; purge deletes.
 */
class DeadLetterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADER = "order_id,customer,amount,ingested_at\n";
  private static final String DAY1_GOOD =
      "1,ada,10.00,2024-03-01 08:00:00\n3,cyd,7.25,2024-03-01 10:00:00\n";
  private static final String DAY2 = "4,dee,3.00,2024-03-02 08:00:00\n";

  @TempDir Path dir;

  private Path pipeline(String url, String extra) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(p, OrdersPipeline.yaml("dl", "data/*.csv", null, "\"" + url + "\"", extra));
    return p;
  }

  private void input(String csv) throws Exception {
    Files.writeString(dir.resolve("data/orders.csv"), HEADER + csv, StandardCharsets.UTF_8);
  }

  private String url(String kind) {
    return kind.equals("duckdb")
        ? "jdbc:duckdb:" + dir.resolve("dl.duckdb")
        : EmbeddedPostgresServer.newDatabase();
  }

  private static JsonNode json(Cli.Result r) throws Exception {
    return JSON.readTree(r.out());
  }

  private static List<String> rows(String url) {
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      return d.tableRows("orders");
    }
  }

  private static WindowState state(String url, String window) {
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      return d.ledger().state("dl", window).orElseThrow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void badRecordsFailTheirWindowByDefaultAndAreKept(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "");
    input(DAY1_GOOD + "2,bob,abc,2024-03-01 09:00:00\n" + DAY2);
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(r.out())
        .contains(
            "2024-03-01  FAILED",
            "more than max_bad_records 0",
            "data/orders.csv:4: column amount: 'abc' is not a decimal(12,2)");
    // nothing of the failed window; the other window loaded
    assertThat(rows(url)).hasSize(1).allSatisfy(row -> assertThat(row).contains("order_id=4"));
    JsonNode letters =
        json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters");
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).get("window").asText()).isEqualTo("2024-03-01");
    assertThat(letters.get(0).get("position").asText()).isEqualTo("data/orders.csv:4");
    assertThat(letters.get(0).get("reason").asText())
        .isEqualTo("column amount: 'abc' is not a decimal(12,2)");
    assertThat(letters.get(0).get("raw").asText()).contains("bob", "abc");
    // failing again on the same input leaves one open letter per bad record: the latest attempt's
    assertThat(Cli.run("run", p.toString()).exit()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters"))
        .hasSize(1);
    assertThat(
            json(Cli.run("dlq", "list", p.toString(), "--all", "--output", "json"))
                .get("dead_letters"))
        .hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void withinTheLimitGoodRowsLoadAndAReplayAfterTheFixConverges(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "max_bad_records: 5");
    input(DAY1_GOOD + "2,bob,abc,2024-03-01 09:00:00\n5,eve,1.00\n6,fay,2.00,not-a-date\n" + DAY2);
    Cli.Result r = Cli.run("run", p.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode day1 = json(r).get("windows").get(0);
    // the shape error (line 5) and the unparseable window value (line 6) have no window of their
    // own:
    // the file's first window keeps them, so each is dead-lettered exactly once
    assertThat(day1.get("read").asLong()).isEqualTo(5);
    assertThat(day1.get("dead_lettered").asLong()).isEqualTo(3);
    assertThat(day1.get("inserted").asLong()).isEqualTo(2);
    assertThat(state(url, "2024-03-01").counts().balanced()).isTrue();
    assertThat(Cli.run("status", p.toString()).out())
        .contains("dead-lettered")
        .containsPattern("2024-03-01\\s+done\\s+\\S+\\s+5\\s+2 \\(2/0\\)\\s+0\\s+3\\s+2");
    assertThat(json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters"))
        .extracting(l -> l.get("position").asText())
        .containsExactly("data/orders.csv:4", "data/orders.csv:5", "data/orders.csv:6");

    // the input is fixed; replay reloads the window, its letters are marked replayed
    input(
        DAY1_GOOD
            + "2,bob,2.50,2024-03-01 09:00:00\n5,eve,1.00,2024-03-01 11:00:00\n6,fay,2.00,2024-03-01 12:00:00\n"
            + DAY2);
    Cli.Result replay = Cli.run("dlq", "replay", p.toString());
    assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
    assertThat(replay.out()).contains("2024-03-01  LOADED");
    assertThat(json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters"))
        .isEmpty();
    JsonNode all =
        json(Cli.run("dlq", "list", p.toString(), "--all", "--output", "json")).get("dead_letters");
    assertThat(all).hasSize(3).allSatisfy(l -> assertThat(l.get("replayed_at").isNull()).isFalse());
    assertThat(Cli.run("dlq", "replay", p.toString()).out())
        .contains("no open dead letters to replay");
    List<String> replayed = rows(url);

    // equal to a clean run of the fixed input
    Path cleanDir = Files.createDirectories(dir.resolve("clean"));
    String cleanUrl =
        kind.equals("duckdb")
            ? "jdbc:duckdb:" + cleanDir.resolve("clean.duckdb")
            : EmbeddedPostgresServer.newDatabase();
    Path cp = pipeline(cleanUrl, "");
    assertThat(Cli.run("run", cp.toString()).exit()).isZero();
    assertThat(replayed).hasSize(6).isEqualTo(rows(cleanUrl));
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void pastTheRatioTheWindowFailsWholeAndItsLettersAreKept(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "max_bad_records: 100\nmax_bad_ratio: 0.2");
    input(DAY1_GOOD + "2,bob,abc,2024-03-01 09:00:00\n7,gus,xyz,2024-03-01 11:00:00\n" + DAY2);
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.PARTLY_FAILED);
    assertThat(r.out()).contains("2 bad records of 4, more than max_bad_ratio 0.2");
    assertThat(rows(url)).noneSatisfy(row -> assertThat(row).contains("_idem_window=2024-03-01"));
    assertThat(
            json(Cli.run("dlq", "list", p.toString(), "--window", "2024-03-01", "--output", "json"))
                .get("dead_letters"))
        .extracting(l -> l.get("position").asText())
        .containsExactly("data/orders.csv:4", "data/orders.csv:5");
    Cli.Result purge = Cli.run("dlq", "purge", p.toString(), "--older-than", "0s");
    assertThat(purge.out()).contains("purged 2 dead letters");
    assertThat(
            json(Cli.run("dlq", "list", p.toString(), "--all", "--output", "json"))
                .get("dead_letters"))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aHugeBadFieldIsKeptCappedWithItsSize(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "max_bad_records: 1");
    String huge = "9".repeat(100_000) + "x";
    input(DAY1_GOOD + "2,bob," + huge + ",2024-03-01 09:00:00\n");
    assertThat(Cli.run("run", p.toString()).exit()).isZero();
    JsonNode letter =
        json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters").get(0);
    assertThat(letter.get("raw_truncated").asBoolean()).isTrue();
    assertThat(letter.get("raw_bytes").asLong()).isGreaterThan(100_000);
    assertThat(letter.get("raw").asText().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(64 * 1024);
  }

  /**
   * A table another tool created, narrower than the pipeline: a length limit (enforced by
   * PostgreSQL only) and a CHECK. Rows it refuses are dead letters naming the column or the
   * constraint, with their line; the others load; after the input is fixed a replay converges.
   */
  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void rowsAnExistingTableRefusesAreDeadLettersAndAReplayConverges(String kind) throws Exception {
    String url = url(kind);
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      TableSnapshot.execute(
          d,
          "CREATE TABLE orders (order_id BIGINT NOT NULL, customer VARCHAR(5), amount DECIMAL(12,2)"
              + " CONSTRAINT amount_not_negative CHECK (amount >= 0), ingested_at TIMESTAMP, _idem_window VARCHAR NOT NULL)");
    }
    Path p = pipeline(url, "max_bad_records: 5");
    input(
        DAY1_GOOD
            + "2,bartholomew,2.00,2024-03-01 09:00:00\n5,eve,-1.00,2024-03-01 11:00:00\n"
            + DAY2);
    Cli.Result r = Cli.run("run", p.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    boolean lengths = kind.equals("postgres");
    JsonNode day1 = json(r).get("windows").get(0);
    assertThat(day1.get("dead_lettered").asLong()).isEqualTo(lengths ? 2 : 1);
    JsonNode letters =
        json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters");
    List<String> shown = new ArrayList<>();
    letters.forEach(l -> shown.add(l.get("position").asText() + ": " + l.get("reason").asText()));
    shown.sort(null);
    List<String> expected = new ArrayList<>();
    if (lengths) {
      expected.add(
          "data/orders.csv:4: column customer: 'bartholomew' has 11 characters, more than the 5 column customer of table orders"
              + " holds (varchar(5)); values are never cut");
    }
    expected.add(
        "data/orders.csv:5: violates CHECK constraint "
            + (lengths ? "amount_not_negative" : "orders_amount_check")
            + " of table orders: "
            + (lengths ? "(amount >= (0)::numeric)" : "(amount >= 0)")
            + ", with amount = '-1.00'");
    assertThat(shown).isEqualTo(expected);
    assertThat(state(url, "2024-03-01").counts().balanced()).isTrue();

    input(DAY1_GOOD + "2,bart,2.00,2024-03-01 09:00:00\n5,eve,1.00,2024-03-01 11:00:00\n" + DAY2);
    Cli.Result replay = Cli.run("dlq", "replay", p.toString());
    assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
    assertThat(json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters"))
        .isEmpty();
    assertThat(rows(url)).hasSize(5).anySatisfy(row -> assertThat(row).contains("customer=bart|"));
  }

  @Test
  void aNulInTextIsADeadLetterOnPostgresql() throws Exception {
    String url = url("postgres");
    Path p = pipeline(url, "max_bad_records: 1");
    List<String> lines = new ArrayList<>(List.of(DAY1_GOOD, "2,b\0b,2.00,2024-03-01 09:00:00\n"));
    input(String.join("", lines));
    Cli.Result r = Cli.run("run", p.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(json(r).get("windows").get(0).get("dead_lettered").asLong()).isEqualTo(1);
    JsonNode letter =
        json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters").get(0);
    assertThat(letter.get("position").asText()).isEqualTo("data/orders.csv:4");
    assertThat(letter.get("reason").asText()).contains("NUL character");
    assertThat(rows(url)).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void moreLettersThanTheMemoryBufferSpillAndAreAllKept(String kind) throws Exception {
    String url = url(kind);
    Path p = pipeline(url, "max_bad_records: 20000");
    StringBuilder csv = new StringBuilder(DAY1_GOOD);
    for (int i = 0; i < 12_345; i++) {
      csv.append(100 + i).append(",x,bad").append(i).append(",2024-03-01 09:00:00\n");
    }
    input(csv.toString());
    Cli.Result r = Cli.run("run", p.toString(), "--output", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(json(r).get("windows").get(0).get("dead_lettered").asLong()).isEqualTo(12_345);
    JsonNode letters =
        json(Cli.run("dlq", "list", p.toString(), "--output", "json")).get("dead_letters");
    assertThat(letters).hasSize(12_345);
    assertThat(letters.get(12_344).get("position").asText())
        .isEqualTo("data/orders.csv:" + (12_345 + 3));
  }
}
