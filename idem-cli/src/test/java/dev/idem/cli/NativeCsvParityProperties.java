package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;
import org.slf4j.LoggerFactory;

/**
 * DuckDB reading a window's CSV files itself (ADR 0009) gives exactly what the row-by-row path
 * gives: on random windows of clean and hostile CSV (quotes, embedded delimiters and line breaks,
 * empty fields, whitespace, big numbers, decimals with many digits, timestamps in several forms,
 * invalid values, wrong field counts, blank lines, CRLF, a byte order mark), a run with the native
 * path on and a run with it off ({@code -Didem.native.csv=false}) leave the same table, the same
 * ledger rows (status, fingerprint, counts, schema, error), the same dead letters (window,
 * position, reason, raw) and the same window outcomes, on real DuckDB files. Few tries by default;
 * {@code -Didem.native.cases=40} runs 40 cases in each of them.
 */
class NativeCsvParityProperties {
  private static final String PROPERTY = "idem.native.csv";
  private static final String NATIVE_LOGGER = "dev.idem.run.NativeRead";

  private static final Schema COLUMNS =
      new Schema(
          List.of(
              Column.of("id", DataType.INTEGER),
              Column.of("name", DataType.STRING),
              Column.of("amount", DataType.decimal(12, 2)),
              Column.of("paid", DataType.BOOLEAN),
              Column.of("born", DataType.DATE),
              Column.of("ts", DataType.TIMESTAMP)));

  private Path dir;

  @BeforeTry
  void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-native");
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
   * One CSV file: its rows of field texts (null: an empty, unquoted field) and how it is shaped.
   */
  record InputFile(
      List<List<String>> rows,
      boolean crlf,
      boolean bom,
      boolean lastLineBreak,
      int blankLineAt,
      int quoteFieldAt,
      int shortRowAt) {}

  private static final List<String> NAMES_CLEAN =
      List.of("ada", "b c", " lead", "trail ", "é ß 漢", "back\\slash", "tab\there", "NULL", "\\N");
  private static final List<String> NAMES_HOSTILE =
      List.of("", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "\"", "  ", "#x", "null");
  private static final List<String> INTS_HOSTILE =
      List.of(" 5", "+5", "99999999999999999999", "9223372036854775807", "abc", "1.0", "-");
  private static final List<String> DECIMALS_CLEAN =
      List.of("1.5", "1.50", "-0.01", "0", "-0", "1234567890.12", "007.10");
  private static final List<String> DECIMALS_HOSTILE =
      List.of("1.500", "1e2", ".5", "12345678901.1", " 2.5", "1.005", "1,5", "NaN");
  private static final List<String> BOOLEANS_HOSTILE = List.of("TRUE", "t", "1", "yes", "maybe");
  private static final List<String> DATES_HOSTILE =
      List.of("2024-02-30", "0000-01-01", "24-03-01", "2024-3-1", "2024-03-01T00:00:00");
  private static final List<String> TIMES_CLEAN =
      List.of(
          "2024-03-01 08:00:00",
          "2024-03-01T23:59:59.999999",
          "2024-03-02 00:00:00",
          "2024-03-02T12:30:00.5");
  private static final List<String> TIMES_HOSTILE =
      List.of(
          "2024-03-01 08:00",
          "2024-03-01 08:00:00.1234567",
          "2024-02-30 00:00:00",
          "2024-03-01 24:00:00",
          "2024-03-01T08:00:00Z",
          " 2024-03-01 08:00:00",
          "2024-03-01 08:00:00+01:00");

  private static Arbitrary<String> value(List<String> clean, List<String> hostile, boolean dirty) {
    Arbitrary<String> ok = Arbitraries.of(clean);
    Arbitrary<String> v = dirty ? Arbitraries.oneOf(ok, Arbitraries.of(hostile)) : ok;
    return v.injectNull(0.1);
  }

  private static Arbitrary<List<String>> row(boolean dirty) {
    return Combinators.combine(
            dirty
                ? Arbitraries.oneOf(
                    Arbitraries.integers().between(-3, 40).map(String::valueOf),
                    Arbitraries.of(INTS_HOSTILE))
                : Arbitraries.integers().between(-3, 40).map(String::valueOf),
            value(NAMES_CLEAN, NAMES_HOSTILE, dirty),
            value(DECIMALS_CLEAN, DECIMALS_HOSTILE, dirty),
            value(List.of("true", "false"), BOOLEANS_HOSTILE, dirty),
            value(List.of("2024-03-01", "1999-12-31"), DATES_HOSTILE, dirty),
            Arbitraries.of(TIMES_CLEAN)
                .injectNull(dirty ? 0.05 : 0)
                .flatMap(
                    t ->
                        dirty
                            ? Arbitraries.oneOf(Arbitraries.just(t), Arbitraries.of(TIMES_HOSTILE))
                            : Arbitraries.just(t)))
        .as(
            (id, name, amount, paid, born, ts) -> {
              List<String> r = new ArrayList<>(List.of("", "", "", "", "", ""));
              r.set(0, id);
              r.set(1, name);
              r.set(2, amount);
              r.set(3, paid);
              r.set(4, born);
              r.set(5, ts);
              return r;
            });
  }

  /** Cases per try: 12 tries of one case by default, {@code -Didem.native.cases=40} for 480. */
  private static final int CASES = Integer.getInteger("idem.native.cases", 1);

  @Provide
  Arbitrary<List<List<InputFile>>> cases() {
    return windows().list().ofSize(CASES);
  }

  /**
   * How the cases are cut into windows: by day on the timestamp (UTC, and a fixed offset), by hour,
   * by day on a date column, by file, or one full window.
   */
  private static final List<WindowSpec> SPECS =
      List.of(
          WindowSpec.day("ts", ZoneOffset.UTC),
          WindowSpec.day("ts", ZoneOffset.ofHours(2)),
          WindowSpec.hour("ts", ZoneOffset.UTC),
          WindowSpec.day("born", ZoneOffset.UTC),
          WindowSpec.file(),
          WindowSpec.full());

  @Provide
  Arbitrary<List<WindowSpec>> specs() {
    return Arbitraries.of(SPECS).list().ofSize(CASES);
  }

  private Arbitrary<List<InputFile>> windows() {
    Arbitrary<InputFile> file =
        Arbitraries.integers()
            .between(0, 3)
            .flatMap(
                kind -> {
                  // kinds 0 and 1: clean files in every respect; 2: hostile values; 3: hostile
                  // shape
                  boolean dirtyValues = kind == 2;
                  boolean dirtyShape = kind == 3;
                  return Combinators.combine(
                          row(dirtyValues).list().ofMinSize(0).ofMaxSize(8),
                          Arbitraries.of(true, false),
                          Arbitraries.integers().between(0, 12),
                          Arbitraries.integers().between(0, 12),
                          Arbitraries.integers().between(0, 12))
                      .as(
                          (rows, crlf, a, b, c) ->
                              new InputFile(
                                  rows,
                                  crlf,
                                  dirtyShape && a == 0,
                                  !dirtyShape || b % 2 == 0,
                                  dirtyShape && a > 0 && a < 4 ? b : -1,
                                  dirtyShape && a >= 4 && a < 8 ? c : -1,
                                  dirtyShape && a >= 8 ? c : -1));
                });
    return file.list().ofMinSize(1).ofMaxSize(3);
  }

  @Property(tries = 12)
  void theNativePathLoadsExactlyWhatTheRowPathLoads(
      @ForAll("cases") List<List<InputFile>> cases, @ForAll("specs") List<WindowSpec> specs)
      throws Exception {
    for (int k = 0; k < cases.size(); k++) {
      List<InputFile> files = cases.get(k);
      deleteDirectory();
      createDirectory();
      write(files);
      Outcome rowPath = run("rows.duckdb", false, specs.get(k));
      Outcome nativePath = run("native.duckdb", true, specs.get(k));
      Statistics.label("windows staged natively").collect(nativePath.staged() > 0);
      Statistics.label("windows").collect(specs.get(k).describe());
      assertThat(nativePath.outcomes()).as("case %d: %s", k, files).isEqualTo(rowPath.outcomes());
      assertThat(nativePath.table()).as("case %d: %s", k, files).isEqualTo(rowPath.table());
      assertThat(nativePath.ledger()).as("case %d: %s", k, files).isEqualTo(rowPath.ledger());
      assertThat(nativePath.deadLetters())
          .as("case %d: %s", k, files)
          .isEqualTo(rowPath.deadLetters());
    }
  }

  @Example
  void aCleanWindowIsStagedByDuckDbAndTheSameAsByRows() throws Exception {
    List<List<String>> rows =
        List.of(
            List.of("1", "ada", "1.5", "true", "2024-03-01", "2024-03-01 08:00:00"),
            new ArrayList<>(
                java.util.Arrays.asList("2", null, "-0.01", null, null, "2024-03-02T12:30:00.5")),
            List.of("1", "b c", "007.10", "false", "1999-12-31", "2024-03-01T23:59:59.999999"));
    write(List.of(new InputFile(rows, false, false, true, -1, -1, -1)));
    Outcome rowPath = run("rows.duckdb", false, SPECS.get(0));
    Outcome nativePath = run("native.duckdb", true, SPECS.get(0));
    assertThat(nativePath.staged()).isEqualTo(2); // both day windows
    assertThat(rowPath.staged()).isZero();
    assertThat(nativePath.table())
        .isEqualTo(rowPath.table())
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).contains("amount=7.10", "ts=2024-03-01 23:59:59.999999"));
    assertThat(nativePath.ledger()).isEqualTo(rowPath.ledger());
    assertThat(nativePath.outcomes()).isEqualTo(rowPath.outcomes());
  }

  @Example
  void quotedFieldsOnOneLineAreStagedByDuckDbAndTheSameAsByRows() throws Exception {
    List<List<String>> rows =
        List.of(
            List.of("1", "a,b", "1.5", "true", "2024-03-01", "2024-03-01 08:00:00"),
            List.of("2", "say \"hi\"", "2.5", "false", "2024-03-01", "2024-03-01 09:00:00"),
            List.of("3", "", "3.5", "true", "2024-03-02", "2024-03-02 10:00:00"),
            new ArrayList<>(
                java.util.Arrays.asList("4", null, "4.5", null, null, "2024-03-02 11:00:00")),
            List.of("5", "\"", "5.5", "true", "2024-03-02", "2024-03-02 12:00:00"));
    // quoteFieldAt 0: the first row's name is quoted; so are the empty one and those holding a
    // comma or a quote
    write(List.of(new InputFile(rows, false, false, true, -1, 0, -1)));
    Outcome rowPath = run("rows.duckdb", false, SPECS.get(0));
    Outcome nativePath = run("native.duckdb", true, SPECS.get(0));
    assertThat(nativePath.staged()).isEqualTo(2); // both day windows
    assertThat(nativePath.table())
        .isEqualTo(rowPath.table())
        .hasSize(5)
        .anySatisfy(r -> assertThat(r).contains("name=a,b|"))
        .anySatisfy(r -> assertThat(r).contains("name=say \"hi\"|"))
        .anySatisfy(r -> assertThat(r).contains("id=3|name=|"))
        .anySatisfy(r -> assertThat(r).contains("id=4|name=null|"));
    assertThat(nativePath.ledger()).isEqualTo(rowPath.ledger());
    assertThat(nativePath.outcomes()).isEqualTo(rowPath.outcomes());
  }

  @Example
  void aValueThatIsNotPlainUndoesTheNativeStagingAndTheRowPathDeadLettersIt() throws Exception {
    List<List<String>> rows =
        List.of(
            List.of("1", "ada", "1.5", "true", "2024-03-01", "2024-03-01 08:00:00"),
            List.of("abc", "bob", "2.5", "false", "2024-03-01", "2024-03-01 09:00:00"),
            List.of("3", "cyd", "1.500", "true", "2024-03-01", "2024-03-01 10:00:00"));
    // no quote anywhere: the files pass the byte check, and DuckDB meets the values
    write(List.of(new InputFile(rows, false, false, true, -1, -1, -1)));
    Outcome rowPath = run("rows.duckdb", false, SPECS.get(0));
    Outcome nativePath = run("native.duckdb", true, SPECS.get(0));
    assertThat(nativePath.staged()).isZero();
    assertThat(nativePath.deadLetters())
        .isEqualTo(rowPath.deadLetters())
        .hasSize(1)
        .first()
        .asString()
        .contains("position=f0.csv:3", "abc");
    assertThat(nativePath.table()).isEqualTo(rowPath.table()).hasSize(2);
    assertThat(nativePath.ledger()).isEqualTo(rowPath.ledger());
  }

  @Example
  void aFileNameDuckDbWouldTakeForAGlobPatternTakesTheRowPath() throws Exception {
    // read_csv takes "a[1].csv" for the pattern matching "a1.csv": it would read a1.csv twice
    Files.createDirectories(dir.resolve("data"));
    String header = String.join(",", COLUMNS.names()) + "\n";
    Files.writeString(
        dir.resolve("data/a1.csv"), header + "1,ada,1.5,true,2024-03-01,2024-03-01 08:00:00\n");
    Files.writeString(
        dir.resolve("data/a[1].csv"), header + "2,bob,2.5,false,2024-03-01,2024-03-01 09:00:00\n");
    Outcome rowPath = run("rows.duckdb", false, SPECS.get(0));
    Outcome nativePath = run("native.duckdb", true, SPECS.get(0));
    assertThat(nativePath.staged()).isZero();
    assertThat(nativePath.table())
        .isEqualTo(rowPath.table())
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).contains("name=bob"));
    assertThat(nativePath.ledger()).isEqualTo(rowPath.ledger());
  }

  @Example
  void aRowTheTargetsRulesRefuseUndoesTheNativeStagingAndTheRowPathDeadLettersIt()
      throws Exception {
    // the target exists, made by another tool, with a NOT NULL the pipeline does not declare
    for (String file : List.of("rows.duckdb", "native.duckdb")) {
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(file));
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE t (id BIGINT NOT NULL, name VARCHAR NOT NULL, amount DECIMAL(12,2),"
                + " paid BOOLEAN, born DATE, ts TIMESTAMP NOT NULL, _idem_window VARCHAR NOT NULL)");
      }
    }
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/f0.csv"),
        String.join(",", COLUMNS.names())
            + "\n1,ada,1.5,true,2024-03-01,2024-03-01 08:00:00"
            + "\n2,,2.5,false,2024-03-01,2024-03-01 09:00:00\n");
    Outcome rowPath = run("rows.duckdb", false, SPECS.get(0));
    Outcome nativePath = run("native.duckdb", true, SPECS.get(0));
    assertThat(nativePath.staged()).isZero();
    assertThat(nativePath.deadLetters())
        .isEqualTo(rowPath.deadLetters())
        .hasSize(1)
        .first()
        .asString()
        .contains("position=f0.csv:3");
    assertThat(nativePath.table()).isEqualTo(rowPath.table()).hasSize(1);
    assertThat(nativePath.ledger()).isEqualTo(rowPath.ledger());
  }

  private void write(List<InputFile> files) throws IOException {
    Files.createDirectories(dir.resolve("data"));
    for (int f = 0; f < files.size(); f++) {
      InputFile in = files.get(f);
      String eol = in.crlf() ? "\r\n" : "\n";
      StringBuilder csv = new StringBuilder(in.bom() ? "\uFEFF" : "");
      csv.append(String.join(",", COLUMNS.names()));
      for (int r = 0; r < in.rows().size(); r++) {
        csv.append(eol);
        if (r == in.blankLineAt()) {
          csv.append(eol);
        }
        List<String> fields = new ArrayList<>();
        List<String> row = in.rows().get(r);
        for (int i = 0; i < row.size(); i++) {
          if (r == in.shortRowAt() && i == row.size() - 1) {
            continue;
          }
          String v = row.get(i);
          boolean quote =
              v != null
                  && ((r == in.quoteFieldAt() && i == 1)
                      || v.isEmpty()
                      || v.contains(",")
                      || v.contains("\"")
                      || v.contains("\n")
                      || v.contains("\r"));
          fields.add(v == null ? "" : quote ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
        }
        csv.append(String.join(",", fields));
      }
      if (in.lastLineBreak()) {
        csv.append(eol);
      }
      Files.writeString(dir.resolve("data/f" + f + ".csv"), csv.toString(), StandardCharsets.UTF_8);
    }
  }

  /** What a run leaves, without what differs between any two runs (run ids, times). */
  record Outcome(
      List<String> outcomes,
      List<String> table,
      List<String> ledger,
      List<String> deadLetters,
      long staged) {}

  private Outcome run(String file, boolean nativeCsv, WindowSpec spec) throws Exception {
    String url = "jdbc:duckdb:" + dir.resolve(file);
    Pipeline p =
        Pipeline.builder("parity")
            .source(
                new CsvSource(
                    new FileSet(dir.resolve("data"), "*.csv"), COLUMNS, CsvFormat.DEFAULT))
            .windows(spec)
            .table("t")
            .key("id")
            .orderBy("ts")
            .strategy(WriteStrategy.MERGE)
            .badRecords(new BadRecordPolicy(1_000, null))
            .build();
    Logger logger = (Logger) LoggerFactory.getLogger(NATIVE_LOGGER);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(events);
    String before = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, Boolean.toString(nativeCsv));
    List<String> outcomes = new ArrayList<>();
    List<Window> windows = new ArrayList<>();
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      try {
        windows.addAll(p.source().windows(p.windows()));
        RunReport r =
            new Runner(d, RunServices.defaults()).run(p, windows, RunOptions.defaults("r"));
        for (WindowOutcome o : r.outcomes()) {
          outcomes.add(o.window() + " " + o.result() + " " + o.message());
        }
      } catch (RuntimeException e) {
        outcomes.add("failed: " + e.getMessage());
      }
      List<String> ledger = new ArrayList<>();
      for (Window w : windows) {
        WindowState s = d.ledger().state("parity", w.id()).orElse(null);
        ledger.add(
            s == null
                ? w.id() + " none"
                : String.join(
                    " | ",
                    w.id(),
                    String.valueOf(s.status()),
                    s.fingerprint(),
                    String.valueOf(s.counts()),
                    String.valueOf(s.schema()),
                    String.valueOf(s.error())));
      }
      List<String> table = new ArrayList<>();
      List<String> letters = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(url)) {
        table.addAll(rows(c, "SELECT * FROM t ORDER BY ALL", "t"));
        letters.addAll(
            rows(
                c,
                "SELECT window_id, position, reason, raw, raw_bytes, raw_truncated FROM"
                    + " _idem.dead_letters ORDER BY window_id, seq",
                "_idem"));
      }
      return new Outcome(outcomes, table, ledger, letters, events.list.size());
    } finally {
      logger.detachAppender(events);
      logger.setLevel(level);
      if (before == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, before);
      }
    }
  }

  /** Each row as {@code column=value|...}; none when the table does not exist (no window ran). */
  private static List<String> rows(Connection c, String sql, String what) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder line = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          line.append(i == 1 ? "" : "|")
              .append(rs.getMetaData().getColumnName(i))
              .append('=')
              .append(rs.getObject(i));
        }
        out.add(line.toString());
      }
    } catch (SQLException e) {
      if (!e.getMessage().contains("does not exist")) {
        throw e;
      }
      out.add(what + " missing");
    }
    return out;
  }
}
