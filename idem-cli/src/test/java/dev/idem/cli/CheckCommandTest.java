package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem check} and the check column of {@code idem status}, end to end on a copy of the
 * orders example in DuckDB.
 */
class CheckCommandTest {
  @TempDir Path tmp;

  Path orders;
  Path db;

  @BeforeEach
  void copyOrders() throws IOException {
    Path example = Path.of("..", "examples", "orders").toAbsolutePath().normalize();
    try (Stream<Path> all = Files.walk(example)) {
      for (Path p : all.toList()) {
        if (p.toString().endsWith(".duckdb") || p.toString().endsWith(".wal")) {
          continue;
        }
        Path to = tmp.resolve(example.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    orders = tmp.resolve("pipeline.yaml");
    db = tmp.resolve("orders.duckdb");
  }

  /**
   * Tampers with the target as another tool would, on its own connection, closed before idem opens
   * the file again.
   */
  private void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private String keyIndex() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'orders'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void aCleanLoadPassesEveryCheckAndStatusShowsTheWorstPerWindow() throws Exception {
    Cli.Result never = Cli.run("check", orders.toString());
    assertThat(never.exit()).isZero();
    assertThat(never.out())
        .isEqualTo(
            "pipeline orders has never run: there is no DuckDB file jdbc:duckdb:" + db + "\n");
    assertThat(db).doesNotExist();

    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    Cli.Result check = Cli.run("check", orders.toString(), "--run-id", "c1");
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out().lines().findFirst().orElseThrow())
        .matches("window +check +status +detail");
    // day 1's order 1003 was taken over by its correction on day 3
    assertThat(check.out())
        .contains(
            "2024-03-01  target_rows     PASS    11 rows as the ledger recorded; merge keeps at most the 12 rows of its last load")
        .contains("(table)     duplicate_keys  PASS    no key [order_id] appears twice in orders")
        .endsWith("11 checks on 5 windows: 11 pass, 0 warn, 0 fail (pipeline orders)\n");

    Cli.Result status = Cli.run("status", orders.toString());
    assertThat(status.exit()).isZero();
    assertThat(status.out().lines().findFirst().orElseThrow())
        .startsWith("window      status  check  read");
    assertThat(status.out())
        .contains("2024-03-03  done    pass  ")
        .contains("table check duplicate_keys: pass: no key [order_id] appears twice in orders")
        .doesNotContain("checks not passing");
    JsonNode doc =
        new ObjectMapper().readTree(Cli.run("status", orders.toString(), "--output", "json").out());
    JsonNode w = doc.get("windows").get(0);
    assertThat(w.get("check").asText()).isEqualTo("pass");
    assertThat(w.get("checks")).hasSize(2);
    assertThat(w.get("checks").get(0).get("check").asText()).isEqualTo("target_rows");
    assertThat(doc.get("table_checks").get(0).get("window").isNull()).isTrue();
    assertThat(doc.get("table_checks").get(0).get("status").asText()).isEqualTo("pass");
  }

  @Test
  void rowsAddedToAWindowBehindIdemsBackFailTheCheckWithExitOne() throws Exception {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    sql(
        "INSERT INTO orders (order_id, ingested_at, _idem_window) VALUES (9001, TIMESTAMP '2024-03-02 12:00:00', '2024-03-02')");

    Cli.Result check = Cli.run("check", orders.toString());
    assertThat(check.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(check.err()).isEmpty();
    assertThat(check.out())
        .containsPattern(
            "2024-03-02  target_rows     FAIL    13 rows in the target, the ledger recorded 12: rows were added behind idem's back")
        .containsPattern(
            "2024-03-02  growth          FAIL    13 rows for input files:1:[0-9a-f]{8}, 12 before with the same input")
        .contains("2024-03-01  growth          PASS")
        .endsWith("11 checks on 5 windows: 9 pass, 0 warn, 2 fail (pipeline orders)\n");

    Cli.Result json =
        Cli.run(
            "check",
            orders.toString(),
            "--output",
            "json",
            "--window",
            "2024-03-02",
            "--run-id",
            "j1");
    assertThat(json.exit()).isEqualTo(ExitCode.FAILED);
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.get("exit_code").asInt()).isEqualTo(1);
    assertThat(doc.get("run_id").asText()).isEqualTo("j1");
    assertThat(doc.get("summary").get("checks").asInt()).isEqualTo(3);
    assertThat(doc.get("summary").get("fail").asInt()).isEqualTo(2);
    assertThat(doc.get("checks").get(0).get("window").asText()).isEqualTo("2024-03-02");
    assertThat(doc.get("checks").get(0).get("check").asText()).isEqualTo("target_rows");
    assertThat(doc.get("checks").get(0).get("status").asText()).isEqualTo("fail");
    assertThat(doc.get("checks").get(2).get("check").asText()).isEqualTo("duplicate_keys");

    Cli.Result status = Cli.run("status", orders.toString());
    assertThat(status.out())
        .contains("2024-03-02  done    fail  ")
        .contains("2024-03-01  done    pass  ")
        .contains(
            "checks not passing: 2024-03-02 target_rows, 2024-03-02 growth (details: idem check "
                + orders
                + ")");
    JsonNode statusDoc =
        new ObjectMapper().readTree(Cli.run("status", orders.toString(), "--output", "json").out());
    assertThat(statusDoc.get("windows").get(1).get("check").asText()).isEqualTo("fail");
  }

  @Test
  void aKeyWrittenAgainByAnotherToolFailsDuplicateKeysNamingIt() throws Exception {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    sql(
        "DROP INDEX \"" + keyIndex() + "\"",
        "INSERT INTO orders (order_id, customer, ingested_at, _idem_window) VALUES (1003, 'other tool', TIMESTAMP '2024-03-05 12:00:00', '2024-03-05')");
    Cli.Result check = Cli.run("check", orders.toString());
    assertThat(check.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(check.out())
        .contains(
            "(table)     duplicate_keys  FAIL    1 key appears more than once in orders (1 extra row);"
                + " e.g. key [order_id]=[1003]: 2 rows, windows 2024-03-03 and 2024-03-05");
    assertThat(check.out()).contains("2024-03-05  target_rows     FAIL");
  }

  @Test
  void rowsDeletedFromAWindowFailTargetRowsUntilTheNextRunReloadsIt() throws Exception {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    sql("DELETE FROM orders WHERE _idem_window = '2024-03-04'");
    Cli.Result check =
        Cli.run("check", orders.toString(), "--from", "2024-03-04", "--to", "2024-03-05");
    assertThat(check.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(check.out())
        .contains(
            "2024-03-04  target_rows     FAIL    0 rows in the target, the ledger recorded 12: rows were deleted behind idem's back")
        .doesNotContain("2024-03-01")
        .endsWith("5 checks on 2 windows: 4 pass, 0 warn, 1 fail (pipeline orders)\n");
    assertThat(Cli.run("run", orders.toString()).out()).contains("1 loaded, 4 unchanged");
    assertThat(Cli.run("check", orders.toString()).exit()).isZero();
    assertThat(Cli.run("check", orders.toString(), "--window", "yesterday").exit())
        .isEqualTo(ExitCode.USAGE);
  }
}
