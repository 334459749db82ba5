package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A newer idem must not mark a user's done windows changed (issue 12, item 6). The fixtures were
 * written by the code of commit f6cfdba, before the refactor (see {@code
 * src/test/resources/upgrade/0.1-f6cfdba/README.md}); this test only reads them and never
 * recomputes a recorded value with the code under test.
 */
class UpgradeKeepsTheLedgerTest {
  private static final Properties RECORDED = recorded();

  @TempDir Path tree;

  @BeforeEach
  void copyFixtures() throws IOException {
    UpgradeFixtures.copyTree(UpgradeFixtures.release(), tree);
  }

  static Stream<String> recordedPipelineFiles() {
    return RECORDED.stringPropertyNames().stream()
        .filter(k -> k.endsWith(".definition_hash"))
        .map(k -> k.substring(0, k.length() - ".definition_hash".length()))
        .sorted();
  }

  @Test
  void everyCopiedPipelineFileHasARecordedDefinition() {
    assertThat(UpgradeFixtures.pipelineFiles(tree))
        .containsExactlyElementsOf(recordedPipelineFiles().toList());
  }

  @ParameterizedTest
  @MethodSource("recordedPipelineFiles")
  void anUnchangedPipelineFileKeepsItsDefinitionHash(String file) {
    Pipeline pipeline = UpgradeFixtures.bind(tree.resolve(file));
    String before = RECORDED.getProperty(file + ".describe");
    assertThat(pipeline.source().describe())
        .as("the source description of %s", file)
        .isEqualTo(RECORDED.getProperty(file + ".source"));
    assertThat(pipeline.definitionHash())
        .as(
            "the definition hash of %s: every done window of it would load again. The definition was%n%s%nand is now%n%s",
            file, before, pipeline.describe())
        .isEqualTo(RECORDED.getProperty(file + ".definition_hash"));
  }

  /**
   * The DuckDB file the old CLI wrote, run by the current CLI: every window is UNCHANGED, nothing
   * is written, and the ledger (windows, dead letters, check results) and the target keep every
   * value they had (a migration may add columns, which are not compared, and raise the schema
   * version, never lower it).
   */
  @ParameterizedTest
  @CsvSource({"examples/orders, orders, 0", "extra/daily-revenue, daily_revenue, 1"})
  void aLedgerWrittenByTheOldCliIsUnchangedForTheCurrentOne(
      String dir, String table, int deadLetters) throws Exception {
    Path pipelineFile = tree.resolve(dir + "/pipeline.yaml");
    String name = pipelineFile.getParent().getFileName().toString();
    Path db = pipelineFile.resolveSibling(name + ".duckdb");
    gunzip(tree.resolve("ledgers/" + name + ".duckdb.gz"), db);
    String url = "jdbc:duckdb:" + db;
    List<String> tables = List.of("_idem.windows", "_idem.dead_letters", "_idem.checks", table);
    Map<String, List<String>> columns = new LinkedHashMap<>();
    Map<String, List<String>> before = new LinkedHashMap<>();
    int versionBefore;
    List<String> doneWindows;
    try (Connection c = DriverManager.getConnection(url)) {
      for (String t : tables) {
        columns.put(t, columnsOf(c, t));
        before.put(t, rows(c, t, columns.get(t)));
      }
      versionBefore = schemaVersion(c);
      doneWindows =
          strings(
              c, "SELECT window_id FROM _idem.windows WHERE status = 'DONE' ORDER BY window_id");
      assertThat(strings(c, "SELECT DISTINCT definition_hash FROM _idem.windows"))
          .as("the fixture's ledger holds the recorded hash")
          .containsExactly(RECORDED.getProperty(dir + "/pipeline.yaml.definition_hash"));
    }
    assertThat(doneWindows).hasSize(5);
    assertThat(before.get(table)).isNotEmpty();
    assertThat(before.get("_idem.dead_letters")).hasSize(deadLetters);

    Cli.Result run = Cli.run("run", pipelineFile.toString(), "--output", "json");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(run.out());
    List<String> results = new ArrayList<>();
    report
        .get("windows")
        .forEach(w -> results.add(w.get("window").asText() + " " + w.get("result").asText()));
    assertThat(results)
        .containsExactlyElementsOf(doneWindows.stream().map(w -> w + " unchanged").toList());
    assertThat(report.at("/summary/loaded").asInt()).isZero();
    try (Connection c = DriverManager.getConnection(url)) {
      for (String t : tables) {
        assertThat(rows(c, t, columns.get(t)))
            .as("%s after the run, in the columns the old idem wrote", t)
            .isEqualTo(before.get(t));
      }
      assertThat(schemaVersion(c)).isGreaterThanOrEqualTo(versionBefore);
    }
  }

  private static Properties recorded() {
    Properties p = new Properties();
    try (Reader r =
        Files.newBufferedReader(
            UpgradeFixtures.release().resolve(UpgradeFixtures.DEFINITIONS),
            StandardCharsets.ISO_8859_1)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return p;
  }

  private static void gunzip(Path gz, Path to) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.copy(in, to);
    }
  }

  private static List<String> columnsOf(Connection c, String table) throws SQLException {
    String[] parts = table.contains(".") ? table.split("\\.") : new String[] {"main", table};
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
      ps.setString(1, parts[0]);
      ps.setString(2, parts[1]);
      List<String> names = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      assertThat(names).as("columns of %s", table).isNotEmpty();
      return names;
    }
  }

  /** Every row of a table, in the given columns, as text, sorted: a table's whole content. */
  private static List<String> rows(Connection c, String table, List<String> columns)
      throws SQLException {
    String select =
        String.join(", ", columns.stream().map(n -> "CAST(\"" + n + "\" AS VARCHAR)").toList());
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + select + " FROM " + table)) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
          row.append(i == 0 ? "" : "|")
              .append(columns.get(i))
              .append('=')
              .append(rs.getString(i + 1));
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private static int schemaVersion(Connection c) throws SQLException {
    return Integer.parseInt(
        strings(c, "SELECT value FROM _idem.meta WHERE name = 'schema_version'").get(0));
  }
}
