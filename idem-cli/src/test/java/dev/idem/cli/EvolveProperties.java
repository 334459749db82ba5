package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * {@code schema_drift: evolve} on a real DuckDB, over files whose headers are random permutations
 * of some declared columns plus undeclared ones: every window loads balanced; the target ends with
 * the declared columns and every column any file added; each row holds its file's value under each
 * column's name and NULL where its file lacked the column; a rerun is a no-op; and loading the
 * windows in the reverse order gives the same table.
 */
class EvolveProperties {
  private static final List<String> DECLARED = List.of("a", "b", "c");
  private static final List<String> EXTRAS = List.of("x", "y", "z");
  private Path dir;

  @BeforeTry
  void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-evolve");
  }

  @AfterTry
  void deleteDirectory() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * One input file: its header (without the key {@code id}, which every file has first) and its
   * rows' values, nulls included.
   */
  record InputFile(List<String> header, List<List<Integer>> rows) {}

  @Provide
  Arbitrary<List<InputFile>> inputs() {
    List<String> all = new ArrayList<>(DECLARED);
    all.addAll(EXTRAS);
    Arbitrary<List<String>> header =
        Arbitraries.shuffle(all)
            .flatMap(
                shuffled ->
                    Arbitraries.integers()
                        .between(0, shuffled.size())
                        .map(n -> shuffled.subList(0, n)));
    Arbitrary<InputFile> file =
        header.flatMap(
            h ->
                Arbitraries.integers()
                    .between(1, 99)
                    .injectNull(0.25)
                    .list()
                    .ofSize(h.size())
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(3)
                    .map(rows -> new InputFile(h, rows)));
    return file.list().ofMinSize(1).ofMaxSize(3);
  }

  @Property(tries = 15)
  void evolveConvergesToTheUnionOfColumnsWhateverTheOrder(@ForAll("inputs") List<InputFile> files)
      throws Exception {
    List<String> expected = new ArrayList<>();
    int id = 0;
    for (int f = 0; f < files.size(); f++) {
      InputFile in = files.get(f);
      StringBuilder csv =
          new StringBuilder(String.join(",", prepend("id", in.header()))).append('\n');
      for (List<Integer> row : in.rows()) {
        id++;
        List<String> fields = new ArrayList<>(List.of(Long.toString(id)));
        row.forEach(v -> fields.add(v == null ? "" : v.toString()));
        csv.append(String.join(",", fields)).append('\n');
      }
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(dir.resolve("data/f" + f + ".csv"), csv.toString(), StandardCharsets.UTF_8);
    }
    TreeSet<String> columns = new TreeSet<>(DECLARED);
    files.forEach(in -> columns.addAll(in.header()));
    id = 0;
    for (int f = 0; f < files.size(); f++) {
      InputFile in = files.get(f);
      for (List<Integer> row : in.rows()) {
        id++;
        StringBuilder line = new StringBuilder("id=" + id);
        for (String c : columns) {
          int at = in.header().indexOf(c);
          line.append('|').append(c).append('=').append(at < 0 ? null : row.get(at));
        }
        expected.add(line.append("|_idem_window=data/f").append(f).append(".csv").toString());
      }
    }
    expected.sort(null);
    String select = "(SELECT id, " + String.join(", ", columns) + ", _idem_window FROM t)";

    Pipeline p = pipeline();
    List<Window> windows = p.source().windows(p.windows());
    try (JdbcDestination d = open("forward.duckdb")) {
      RunReport first =
          new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("r1"));
      assertThat(first.outcomes())
          .allSatisfy(
              o -> assertThat(o.result()).as(o.message()).isEqualTo(WindowOutcome.Result.LOADED));
      assertThat(d.ledger().states("evolve"))
          .allSatisfy(s -> assertThat(s.counts().balanced()).isTrue());
      assertThat(d.tableRows(select)).isEqualTo(expected);
      RunReport again =
          new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("r2"));
      assertThat(again.outcomes())
          .allSatisfy(o -> assertThat(o.result()).isEqualTo(WindowOutcome.Result.UNCHANGED));
      assertThat(d.ledger().states("evolve")).extracting(WindowState::schema).doesNotContainNull();
    }
    try (JdbcDestination d = open("reverse.duckdb")) {
      Runner runner = new Runner(d, RunServices.defaults());
      for (int i = windows.size() - 1; i >= 0; i--) {
        assertThat(runner.run(p, List.of(windows.get(i)), RunOptions.defaults("r" + i)).ok())
            .isTrue();
      }
      assertThat(d.tableRows(select)).isEqualTo(expected);
    }
  }

  private Pipeline pipeline() {
    List<Column> cols = new ArrayList<>(List.of(new Column("id", DataType.INTEGER, false)));
    DECLARED.forEach(c -> cols.add(Column.of(c, DataType.INTEGER)));
    CsvSource source =
        new CsvSource(new FileSet(dir, "data/*.csv"), new Schema(cols), CsvFormat.DEFAULT);
    return Pipeline.builder("evolve")
        .source(source)
        .windows(WindowSpec.file())
        .table("t")
        .key("id")
        .strategy(WriteStrategy.MERGE)
        .schemaDrift(DriftPolicy.EVOLVE)
        .build();
  }

  private JdbcDestination open(String file) {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve(file),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(5));
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }
}
