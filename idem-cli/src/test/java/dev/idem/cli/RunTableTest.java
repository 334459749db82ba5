package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run table and the progress lines of a run that is not on a terminal. */
class RunTableTest {
  @TempDir Path tmp;

  Path orders;

  @BeforeEach
  void copyExamples() throws IOException {
    Examples.copy(tmp);
    orders = tmp.resolve("orders/pipeline.yaml");
  }

  /** A table line's cells: columns are two or more spaces apart. */
  private static List<String> cells(String line) {
    return Arrays.asList(line.strip().split("\\s{2,}"));
  }

  @Test
  void theDefaultTableHidesTheCountsThatAreZeroForEveryWindowAndWideShowsThem() {
    Cli.Result first = Cli.run("run", orders.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    List<String> lines = first.out().lines().toList();
    assertThat(cells(lines.get(0)))
        .containsExactly(
            "window", "result", "read", "folded", "inserted", "updated", "target rows");
    assertThat(cells(lines.get(3)))
        .containsExactly("2024-03-03", "LOADED", "13", "0", "12", "1", "13");

    Cli.Result wide = Cli.run("run", orders.toString(), "--force", "--wide");
    assertThat(wide.exit()).as(wide.err()).isZero();
    // every outcome column, all-zero ones too (CliTest checks their order against the row rule)
    List<String> all = new ArrayList<>(List.of("window", "result", "read"));
    ReportView.OUTCOMES.forEach(c -> all.add(c.name()));
    all.addAll(List.of("target rows", "message"));
    assertThat(cells(wide.out().lines().findFirst().orElseThrow())).isEqualTo(all).hasSize(16);
  }

  @Test
  void targetRowsAreTheTablesCountPerWindowAfterTheRunSoTheyAddUpToTheTable() throws Exception {
    Cli.Result first = Cli.run("run", orders.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    List<String> windows = first.out().lines().filter(l -> l.startsWith("2024-03-0")).toList();
    long sum = windows.stream().mapToLong(l -> Long.parseLong(cells(l).get(6))).sum();
    // order 1003 of day 1 was corrected on day 3: day 1 held 12 rows at its commit, 11 now
    assertThat(cells(windows.get(0)).get(6)).isEqualTo("11");
    assertThat(sum).isEqualTo(60).isEqualTo(count(tmp.resolve("orders/orders.duckdb")));
    // the progress line of day 1, printed as it committed, says what it did then
    assertThat(first.err())
        .contains("[1/5] window 2024-03-01 LOADED: read 13, folded 1, inserted 12");
  }

  @Test
  void eachWindowPrintsATimestampedLineOnStderrAsItFinishesAndStdoutKeepsTheJson()
      throws Exception {
    Cli.Result r = Cli.run("run", orders.toString(), "--output", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("windows")).hasSize(5);
    List<String> progress = r.err().lines().toList();
    assertThat(progress).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(progress.get(i))
          .matches(
              "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\["
                  + (i + 1)
                  + "/5\\] window 2024-03-0"
                  + (i + 1)
                  + " LOADED: read 1\\d, .* \\(\\d+\\.\\d\\d s\\)");
    }
    Cli.Result again = Cli.run("run", orders.toString(), "--progress", "plain");
    assertThat(again.err().lines())
        .hasSize(5)
        .allSatisfy(l -> assertThat(l).endsWith(" UNCHANGED (" + l.replaceAll(".*\\(", "")));
    assertThat(again.err()).contains("[5/5] window 2024-03-05 UNCHANGED (");

    // as every option, --progress may come from the environment (IDEM_PROGRESS)
    Cli.Result quiet = Cli.run(Map.of("IDEM_PROGRESS", "none"), "run", orders.toString());
    assertThat(quiet.exit()).isZero();
    assertThat(quiet.err()).isEmpty();
  }

  private static long count(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
