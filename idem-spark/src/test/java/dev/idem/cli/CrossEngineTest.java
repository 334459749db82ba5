package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.iceberg.TableContents;
import dev.idem.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same pipeline files run by the JVM runner and by {@code --engine spark --master local[2]}
 * into Iceberg tables of two warehouses: the tables' whole contents and the dead letters (window,
 * file:line, reason, raw input) are equal, and a window loaded by one engine is UNCHANGED for the
 * other. The module's one Spark session serves it ({@link SharedSpark}).
 */
@Tag("spark")
class CrossEngineTest {
  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  /** A window's kept rows are freed when it ends, loaded or failed. */
  @AfterEach
  void noRowsStayKept() {
    assertThat(SharedSpark.persistedRdds()).isZero();
  }

  /** Day 1 has duplicates of keys 1 (versions 1, 2) and 2 (a tie on version 5) and a bad id. */
  private static final String DAY_ONE =
      "id,name,version,ingested_at\n"
          + "1,a1,1,2024-03-01 10:00:00\n"
          + "2,b2,5,2024-03-01 12:00:00\n"
          + "x,bad,1,2024-03-01 10:30:00\n"
          + "1,a2,2,2024-03-01 11:00:00\n"
          + "2,b1,5,2024-03-01 10:00:00\n"
          + "3,c1,9,2024-03-02 10:00:00\n";

  /** Another file of day 2 (an older version of key 3) and day 3 (an older version of key 1). */
  private static final String DAY_TWO =
      "id,name,version,ingested_at\n"
          + "3,c0,4,2024-03-02 09:00:00\n"
          + "1,a0,1,2024-03-03 10:00:00\n"
          + "4,d1,1,2024-03-03 10:00:00\n";

  private Path pipeline(String dir, String target) throws IOException {
    return pipeline(dir, target, DAY_ONE);
  }

  /** With {@code dayOne} as the first file. */
  private Path pipeline(String dir, String target, String dayOne) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(dir).resolve("data"));
    Files.writeString(d.resolve("a.csv"), dayOne);
    Files.writeString(d.resolve("b.csv"), DAY_TWO);
    Path p = tmp.resolve(dir).resolve("pipeline.yaml");
    Files.writeString(
        p,
        "pipeline: cross\n"
            + "source:\n  type: csv\n  path: data/*.csv\n  header: true\n"
            + "columns:\n  id: integer not null\n  name: string\n  version: integer\n"
            + "  ingested_at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: ingested_at\n  zone: UTC\n"
            + "max_bad_records: 10\n"
            + target
            + "destination:\n  type: iceberg\n  warehouse: warehouse/\n");
    return p;
  }

  private static final String MERGE =
      "target:\n  table: t\n  key: [id]\n  strategy: merge\n  order_by: version\n";
  private static final String REPLACE_WINDOW = "target:\n  table: t\n  strategy: replace_window\n";

  /**
   * With the rows kept where the reading tasks ran ({@code keepRows}, the default where the
   * destination's work runs as Spark tasks: this module's tests set executor writes), or sent to
   * the driver ({@code -Didem.spark.keep.rows=false}).
   */
  @ParameterizedTest(name = "rows kept where read: {0}")
  @ValueSource(booleans = {true, false})
  void mergeIsTheSameOnBothEnginesAndEachFindsTheOthersWindowsUnchanged(boolean keepRows)
      throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    String keepBefore = System.setProperty("idem.spark.keep.rows", String.valueOf(keepRows));
    long kept = SharedSpark.rowsKeptByTasks();
    long sliceTasks = SharedSpark.sliceTasksEnded();
    long tasks = SharedSpark.tasksEnded();
    long writes = SharedSpark.writeTasksEnded();
    long folded = SharedSpark.tasksFolded();
    long hashed = SharedSpark.filesHashedByTasks();
    long scanned = SharedSpark.filesScannedByTasks();
    long inputFileTasks = SharedSpark.inputFileTasksEnded();
    long tableTasks = SharedSpark.tableTasksEnded();
    try {
      assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("3 loaded");
    } finally {
      restore("idem.spark.keep.rows", keepBefore);
    }
    // the two files hashed (the fingerprints) and scanned (their days) by tasks, not the driver
    assertThat(SharedSpark.filesHashedByTasks() - hashed).isEqualTo(2);
    assertThat(SharedSpark.filesScannedByTasks() - scanned).isEqualTo(2);
    await()
        .untilAsserted(
            () -> assertThat(SharedSpark.inputFileTasksEnded() - inputFileTasks).isEqualTo(4));
    // day 1's older version of key 1 and the lesser row of key 2's tie are folded by the task
    // reading a.csv: only the winners come to the driver, and every count is the JVM runner's
    assertThat(SharedSpark.tasksFolded() - folded).isEqualTo(2);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.ledger(jvm).get(0)).contains("\"folded\":2");
    // read by Spark: a task per window for each file holding it (the first file holds days 1 and
    // 2, the second days 2 and 3), none for a file without the window's records
    await().untilAsserted(() -> assertThat(SharedSpark.tasksEnded() - tasks).isEqualTo(4));
    if (keepRows) {
      // the parts' winners (day 1's two of a.csv, day 2's one of each file, day 3's two) kept
      // where their tasks ran, none sent to the driver; each window planned in one slice by a
      // job of a task a part it reads (the shuffle's) and the slice's task, which looks its keys
      // up in the table's files and writes its new rows where it runs
      assertThat(SharedSpark.rowsKeptByTasks() - kept).isEqualTo(6);
      await()
          .untilAsserted(
              () -> assertThat(SharedSpark.sliceTasksEnded() - sliceTasks).isEqualTo(2 + 3 + 2));
      assertThat(SharedSpark.writeTasksEnded()).isEqualTo(writes);
      assertThat(SharedSpark.tableTasksEnded()).isEqualTo(tableTasks);
    } else {
      assertThat(SharedSpark.rowsKeptByTasks()).isEqualTo(kept);
      // day 1's two new rows written by two executor tasks (local[2], one row a task at the
      // least: this module's tests run with -Didem.iceberg.rows.per.task=1); days 2 and 3 have
      // one new row each, written by the driver
      await().untilAsserted(() -> assertThat(SharedSpark.writeTasksEnded() - writes).isEqualTo(2));
      // the table's files that may hold a window's keys read by tasks: only day 3's key 1 is in
      // a file already (day 1's; its column statistics keep the other files out), one task; its
      // older version rewrites nothing
      await()
          .untilAsserted(() -> assertThat(SharedSpark.tableTasksEnded() - tableTasks).isEqualTo(1));
    }

    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    // in-window: the greatest version; a tie on version by the other columns, greatest first;
    // across windows: an older version of a later window does not replace a newer one
    assertThat(rows)
        .extracting(r -> r.replaceAll(" ingested_at=\\S+", "").replaceAll(" _idem_window=\\S+", ""))
        .containsExactly(
            "id=1 name=a2 version=2",
            "id=2 name=b2 version=5",
            "id=3 name=c1 version=9",
            "id=4 name=d1 version=1");
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
    assertThat(Cli.deadLetters(jvm).get(0)).contains("data/a.csv:4");

    assertThat(Cli.load(jvm, Cli.SPARK).out()).contains("3 unchanged");
    assertThat(Cli.load(onSpark).out()).contains("3 unchanged");
  }

  /**
   * A window no input file holds (chosen on the command line), its rows to be kept where read: no
   * reading task, no kept rows, and the same outcome, ledger and table as on the JVM runner.
   */
  @Test
  void aWindowNoFileHoldsLoadsNothingOnBothEngines() throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    String[] chosen = {"--window", "2024-03-09"};
    assertThat(Cli.load(jvm, chosen).out()).contains("1 loaded");
    List<String> both = new ArrayList<>(List.of(Cli.SPARK));
    both.addAll(List.of(chosen));
    long kept = SharedSpark.rowsKeptByTasks();
    assertThat(Cli.load(onSpark, both.toArray(String[]::new)).out()).contains("1 loaded");
    assertThat(SharedSpark.rowsKeptByTasks()).isEqualTo(kept);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"));
  }

  /** How the windows of a case below are cut into slices of their keys, and where planned. */
  enum Slices {
    /** Spilled past one row in memory into 3 slices, planned on the driver. */
    SPILLED_PLANNED_ON_THE_DRIVER(
        "idem.window.memory.rows",
        "1",
        "idem.window.slices",
        "3",
        "idem.spark.executor.writes",
        "false"),
    /** The same, the slices planned by Spark tasks, the rows sent to the driver. */
    SPILLED_PLANNED_BY_TASKS(
        "idem.window.memory.rows",
        "1",
        "idem.window.slices",
        "3",
        "idem.spark.executor.writes",
        "true",
        "idem.spark.keep.rows",
        "false"),
    /** Held in memory, cut into slices of a row at the least, planned by Spark tasks. */
    HELD_PLANNED_BY_TASKS(
        "idem.window.slice.rows",
        "1",
        "idem.spark.executor.writes",
        "true",
        "idem.spark.keep.rows",
        "false"),
    /**
     * Kept where the reading tasks ran (never on the driver), cut into slices of a row at the
     * least, each slice's rows brought together by a Spark shuffle and planned by a Spark task.
     */
    KEPT_WHERE_READ("idem.window.slice.rows", "1", "idem.spark.executor.writes", "true");

    @SuppressWarnings("ImmutableEnumChecker") // List.of: never changed
    private final List<String> properties;

    Slices(String... properties) {
      this.properties = List.of(properties);
    }

    boolean byTasks() {
      return this != SPILLED_PLANNED_ON_THE_DRIVER;
    }

    boolean spilled() {
      return this == SPILLED_PLANNED_ON_THE_DRIVER || this == SPILLED_PLANNED_BY_TASKS;
    }
  }

  /**
   * Windows cut into slices of their keys, spilled to the Spark driver's disk past one row in
   * memory ({@code -Didem.window.memory.rows}, {@code -Didem.window.slices}) or held in memory
   * ({@code -Didem.window.slice.rows}), then changed input loaded again: the tables, ledgers and
   * dead letters of the JVM runner's whole windows; the slices planned on the driver, or by Spark
   * tasks ({@code -Didem.spark.executor.writes}).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Slices.class)
  void windowsInSlicesOnSparkLoadWhatTheJvmRunnersWholeWindowsLoad(Slices slicing)
      throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    String changed = DAY_TWO + "3,c9,10,2024-03-02 11:00:00\n5,e1,1,2024-03-03 11:00:00\n";
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    Files.writeString(jvm.resolveSibling("data/b.csv"), changed);
    assertThat(Cli.load(jvm).out()).contains("2 loaded");
    Map<String, String> before = new LinkedHashMap<>();
    for (int i = 0; i < slicing.properties.size(); i += 2) {
      String property = slicing.properties.get(i);
      before.put(property, System.setProperty(property, slicing.properties.get(i + 1)));
    }
    long spilled = SharedSpark.windowsSpilled();
    long planned = SharedSpark.sliceTasksEnded();
    long kept = SharedSpark.rowsKeptByTasks();
    long keptInSlices = SharedSpark.keptPlansInSlices();
    try {
      assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("3 loaded");
      Files.writeString(onSpark.resolveSibling("data/b.csv"), changed);
      assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("2 loaded");
    } finally {
      before.forEach(CrossEngineTest::restore);
    }
    boolean byTasks = slicing.byTasks();
    if (byTasks) { // the listener counts behind the jobs
      await().atMost(Duration.ofSeconds(30)).until(() -> SharedSpark.sliceTasksEnded() > planned);
    } else {
      assertThat(SharedSpark.sliceTasksEnded()).isEqualTo(planned);
    }
    // every window holds two rows or more on the driver (day 1 two, once its task folded it):
    // three windows, then the two the changed file holds, spilled or cut in memory
    assertThat(SharedSpark.windowsSpilled() - spilled).isEqualTo(slicing.spilled() ? 5 : 0);
    // kept where read: the winners of each window's parts (day 1's of a.csv, two; day 2's, one of
    // each file; day 3's, two), then those of the changed file's two windows (day 2: one of a.csv,
    // key 3's newer version of b.csv; day 3: three): eleven rows, none of them on the driver
    assertThat(SharedSpark.rowsKeptByTasks() - kept)
        .isEqualTo(slicing == Slices.KEPT_WHERE_READ ? 11 : 0);
    // slices of a row at the least: every window of two kept keys or more planned in two slices
    // (days 1 and 3, and day 3 again; day 2's two rows are of one key, key 3, one slice)
    assertThat(SharedSpark.keptPlansInSlices() - keptInSlices)
        .isEqualTo(slicing == Slices.KEPT_WHERE_READ ? 3 : 0);
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .hasSize(5);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
  }

  private static void restore(String property, String before) {
    if (before == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, before);
    }
  }

  /**
   * CSV files larger than a part ({@code -Didem.spark.part.bytes}) are read by a task a part, split
   * at line starts, the records numbered as in the whole file: the table, the dead letter (its line
   * too) and every ledger entry are the JVM runner's. A name holding a quoted line break at a
   * part's end makes that part fail at its end (its text ends inside the quote): the driver then
   * reads that file whole, and the result is the same.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void csvFilesLargerThanAPartAreReadByATaskAPartAsOnTheJvmRunner(boolean quotedLineBreak)
      throws IOException {
    String dayOne = quotedLineBreak ? DAY_ONE.replace("2,b2,5,", "2,\"b\n2\",5,") : DAY_ONE;
    Path jvm = pipeline("jvm", MERGE, dayOne);
    Path onSpark = pipeline("spark", MERGE, dayOne);
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    long a = Files.size(onSpark.resolveSibling("data/a.csv"));
    long b = Files.size(onSpark.resolveSibling("data/b.csv"));
    // a part ends right after the quoted line break, else a part a line or two
    long partBytes = quotedLineBreak ? dayOne.indexOf("b\n2") + 1 : 45;
    long tasks = SharedSpark.tasksEnded();
    long driverReads = SharedSpark.driverReads();
    long inputFileTasks = SharedSpark.inputFileTasksEnded();
    long scanned = SharedSpark.filesScannedByTasks();
    Cli.loadInParts(onSpark, partBytes);
    // a task per part for each window of its file (a.csv holds days 1 and 2, b.csv days 2 and 3),
    // and before the first window of each file, a task per part but its last counting the line
    // breaks in it (once: the second window of each file takes the counts)
    long partsOfA = (a + partBytes - 1) / partBytes;
    long partsOfB = (b + partBytes - 1) / partBytes;
    long parts = 2 * partsOfA + 2 * partsOfB;
    assertThat(parts).isGreaterThan(8);
    // the tasks keep their rows where they run (this module's tests have executor writes): a
    // window of a file the driver reads itself (a.csv's two, days 1 and 2) is read again by its
    // tasks, its records coming to the driver
    long again = quotedLineBreak ? 2 * partsOfA + partsOfB : 0;
    await()
        .untilAsserted(
            () ->
                assertThat(SharedSpark.tasksEnded() - tasks)
                    .isEqualTo(parts + parts / 2 - 2 + again));
    // a.csv read whole again by the driver, for each of its two windows
    assertThat(SharedSpark.driverReads() - driverReads).isEqualTo(quotedLineBreak ? 2 : 0);
    // before the windows, a task a file hashing it and a task a part scanning it for its days; the
    // scans of a.csv's parts not taken when one before its last stopped inside the quoted field
    // (the driver scans that file itself)
    await()
        .untilAsserted(
            () ->
                assertThat(SharedSpark.inputFileTasksEnded() - inputFileTasks)
                    .isEqualTo(2 + parts / 2));
    assertThat(SharedSpark.filesScannedByTasks() - scanned).isEqualTo(quotedLineBreak ? 1 : 2);

    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(rows).hasSize(4);
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
    assertThat(Cli.deadLetters(jvm).get(0))
        .contains(quotedLineBreak ? "data/a.csv:5" : "data/a.csv:4");
  }

  /**
   * A quote never closed in a CSV file's last part fails the windows of that file on Spark as on
   * the JVM runner (the same entries, the same one dead letter), and the driver does not read the
   * file again: only a part before a file's last that fails may have ended inside a record.
   */
  @Test
  void anUnclosedQuoteInAFilesLastPartFailsItsWindowsAsOnTheJvmRunner() throws IOException {
    String dayOne = DAY_ONE + "5,\"open,1,2024-03-01 13:00:00\n";
    Path jvm = pipeline("jvm", MERGE, dayOne);
    Path onSpark = pipeline("spark", MERGE, dayOne);
    Cli.Result j = Cli.run("run", jvm.toString(), "--progress", "none");
    assertThat(j.exit()).as(j.out() + j.err()).isNotZero();
    long driverReads = SharedSpark.driverReads();
    // two parts: the file's last starts with the line of the quote (a part that fails at its end
    // before the last, the quote's line running into the next part, is read whole instead)
    Cli.Result s = Cli.runInParts(dayOne.indexOf("5,\"open"), onSpark);
    assertThat(s.exit()).as(s.out() + s.err()).isEqualTo(j.exit());
    assertThat(SharedSpark.driverReads() - driverReads).isZero();
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.ledger(jvm)).anyMatch(w -> w.contains("never closed"));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .isNotEmpty();
  }

  /**
   * A run of a chosen window lists no windows: its fingerprint is of what the tasks learned of the
   * files, and it loads what the JVM runner's run of that window loads.
   */
  @Test
  void aChosenWindowOnSparkIsFingerprintedFromWhatTheTasksLearned() throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    Cli.load(jvm, "--window", "2024-03-02");
    long hashed = SharedSpark.filesHashedByTasks();
    long scanned = SharedSpark.filesScannedByTasks();
    List<String> args = new ArrayList<>(List.of("--window", "2024-03-02"));
    args.addAll(List.of(Cli.SPARK));
    assertThat(Cli.load(onSpark, args.toArray(String[]::new)).out()).contains("1 loaded");
    assertThat(SharedSpark.filesHashedByTasks() - hashed).isEqualTo(2);
    assertThat(SharedSpark.filesScannedByTasks() - scanned).isEqualTo(2);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .hasSize(1);
  }

  /**
   * The tasks scan the files for their days; a file whose scan fails (no window column) is scanned
   * again by the driver, which fails the run with the JVM runner's error.
   */
  @Test
  void aFileWithoutTheWindowColumnFailsTheRunOnSparkAsOnTheJvmRunner() throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    for (Path p : List.of(jvm, onSpark)) {
      Files.writeString(
          p.resolveSibling("data/b.csv"), "id,name,version,at\n1,x,1,2024-03-03 10:00:00\n");
    }
    Cli.Result here = run("jvm", jvm);
    long scanned = SharedSpark.filesScannedByTasks();
    Cli.Result spark = run("spark", onSpark);
    String error = "data/b.csv:1: the input has no column 'ingested_at', the window column";
    assertThat(here.err()).contains(error);
    assertThat(here.exit()).isNotZero();
    assertThat(spark.exit()).as(spark.err()).isEqualTo(here.exit());
    assertThat(spark.err()).contains(error);
    assertThat(SharedSpark.filesScannedByTasks() - scanned).as("a.csv's scan taken").isEqualTo(1);
  }

  /**
   * A record whose window column cannot be read belongs to no window: it is a dead letter of its
   * file's first window, read by that window's task alone, on Spark as on the JVM runner.
   */
  @Test
  void aRecordWithoutAWindowIsADeadLetterOfItsFilesFirstWindowOnBothEngines() throws IOException {
    Path jvm = pipeline("jvm", MERGE);
    Path onSpark = pipeline("spark", MERGE);
    for (Path p : List.of(jvm, onSpark)) {
      Files.writeString(
          p.resolveSibling("data/b.csv"), DAY_TWO.replace("\n1,a0", "\n5,e1,1,not a time\n1,a0"));
    }
    Cli.load(jvm);
    Cli.load(onSpark, Cli.SPARK);
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .hasSize(4);
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(2);
    assertThat(Cli.deadLetters(jvm).get(1)).startsWith("2024-03-02 data/b.csv:3 ");
  }

  @Test
  void replaceWindowIsTheSameOnBothEngines() throws IOException {
    Path jvm = pipeline("jvm", REPLACE_WINDOW);
    Path onSpark = pipeline("spark", REPLACE_WINDOW);
    Cli.load(jvm);
    Cli.load(onSpark, Cli.SPARK);
    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(rows).hasSize(8);
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);

    // a changed file reloads its windows on Spark as on the JVM runner: day 2 and day 3 replaced
    for (Path p : List.of(jvm, onSpark)) {
      Files.writeString(
          p.resolveSibling("data/b.csv"),
          "id,name,version,ingested_at\n5,e1,1,2024-03-03 10:00:00\n");
    }
    assertThat(Cli.load(jvm).out()).contains("2 loaded");
    assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("2 loaded");
    List<String> after = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(after)
        .hasSize(6)
        .anyMatch(r -> r.contains("name=e1"))
        .noneMatch(r -> r.contains("name=d1"));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(after);
  }

  /**
   * A file with an added column and one lacking a declared column: each policy does on Spark what
   * it does on the JVM runner (the same window results, ledger entries with their schema
   * observations, whole tables and dead letters). Under discard the tasks read those files and the
   * driver takes what they saw; under evolve too (the added column resolved on the driver as the
   * task loaded it; the missing one loaded as null, which the destination has no say in); under
   * freeze it reads both again itself.
   */
  @ParameterizedTest
  @ValueSource(strings = {"evolve", "discard", "freeze"})
  void schemaDriftOfAddedAndMissingColumnsIsTheJvmRunnersOnSpark(String policy) throws IOException {
    Map<String, Cli.Result> runs = new LinkedHashMap<>();
    long driverReads = SharedSpark.driverReads();
    for (String engine : List.of("jvm", "spark")) {
      Path p = pipeline(engine + "-" + policy, MERGE + "schema_drift: " + policy + "\n");
      Files.writeString(
          p.resolveSibling("data/b.csv"),
          "id,name,version,ingested_at,extra\n"
              + "3,c0,4,2024-03-02 09:00:00,\n"
              + "4,d1,1,2024-03-03 10:00:00,x\n");
      Files.writeString(
          p.resolveSibling("data/c.csv"), "id,version,ingested_at\n5,1,2024-03-04 10:00:00\n");
      runs.put(engine, run(engine, p, "--output", "json"));
    }
    Cli.Result jvm = runs.get("jvm");
    Cli.Result onSpark = runs.get("spark");
    assertThat(onSpark.exit()).as(onSpark.out() + onSpark.err()).isEqualTo(jvm.exit());
    assertThat(results(onSpark.out())).isEqualTo(results(jvm.out()));
    assertThat(Cli.ledger(tmp.resolve("spark-" + policy).resolve("pipeline.yaml")))
        .isEqualTo(Cli.ledger(tmp.resolve("jvm-" + policy).resolve("pipeline.yaml")));
    // under freeze b.csv for days 2 and 3 and c.csv for day 4, and a.csv for day 1 (its bad id is
    // a retyped value, on which freeze fails the window at that record)
    assertThat(SharedSpark.driverReads() - driverReads)
        .as("files the driver read again")
        .isEqualTo(
            switch (policy) {
              case "discard", "evolve" -> 0L;
              default -> 4L;
            });
    Path jvmWarehouse = tmp.resolve("jvm-" + policy).resolve("warehouse");
    List<String> rows = TableContents.of(jvmWarehouse, "t");
    assertThat(TableContents.of(tmp.resolve("spark-" + policy).resolve("warehouse"), "t"))
        .isEqualTo(rows);
    assertThat(Cli.deadLetters(tmp.resolve("spark-" + policy).resolve("pipeline.yaml")))
        .isEqualTo(Cli.deadLetters(tmp.resolve("jvm-" + policy).resolve("pipeline.yaml")));
    switch (policy) {
      case "evolve" -> assertThat(String.join("\n", rows)).contains("extra=x");
      case "discard" ->
          assertThat(String.join("\n", rows)).doesNotContain("extra").contains("id=4");
      default -> assertThat(results(jvm.out())).containsValue("failed");
    }
  }

  /**
   * Under evolve, files adding columns in different orders, one of them two files of one window,
   * each file read by a task a line ({@code -Didem.spark.part.bytes=40}): the tasks read every
   * file, the driver resolves each file's columns and moves each record's values to their columns'
   * places in the window, and the window results, ledger entries, whole tables and dead letters are
   * the JVM runner's.
   */
  @Test
  void evolveTakesTheColumnsFilesAddInAnyOrderFromTheTasks() throws IOException {
    Map<String, Path> pipelines = new LinkedHashMap<>();
    for (String engine : List.of("jvm", "spark")) {
      Path p = pipeline("order-" + engine, MERGE + "schema_drift: evolve\n");
      Files.writeString(
          p.resolveSibling("data/b.csv"),
          "id,name,version,ingested_at,extra,more\n"
              + "3,c0,4,2024-03-02 09:00:00,,m3\n"
              + "4,d1,1,2024-03-02 10:00:00,x4,\n");
      Files.writeString(
          p.resolveSibling("data/c.csv"),
          "more,id,name,version,ingested_at,third,extra\n"
              + "m5,5,e1,1,2024-03-02 11:00:00,t5,x5\n");
      Files.writeString(
          p.resolveSibling("data/d.csv"),
          "id,third,name,version,ingested_at\n" + "6,t6,f1,1,2024-03-03 10:00:00\n");
      pipelines.put(engine, p);
    }
    Path jvm = pipelines.get("jvm");
    Path onSpark = pipelines.get("spark");
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    long driverReads = SharedSpark.driverReads();
    long tasks = SharedSpark.tasksEnded();
    assertThat(Cli.loadInParts(onSpark, 40).out()).contains("3 loaded");
    assertThat(SharedSpark.driverReads() - driverReads).as("files the driver read again").isZero();
    // b.csv's parts for its day, c.csv's for the same day, d.csv's for the next: more than a
    // task a file
    assertThat(SharedSpark.tasksEnded() - tasks).isGreaterThan(3);
    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(String.join("\n", rows))
        .contains("extra=x5", "more=m5", "third=t5", "third=t6", "extra=x4");
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
  }

  /**
   * Under evolve, a file adding a column with idem's reserved prefix (the task reads it, its guess
   * adds anything, and the driver's resolution refuses the column), or lacking a column declared
   * {@code not null} (which evolve cannot load as null): the window fails with the JVM runner's
   * message, naming the file's header, and the same ledger entries and dead letters. The tasks read
   * the file; the driver reads it again only for the refused column, whose reader there fails.
   */
  @ParameterizedTest
  @CsvSource(
      delimiterString = "|",
      value = {
        "id,name,version,ingested_at,_idem_note|3,c0,4,2024-03-02 09:00:00,n"
            + "|data/b.csv:1: input column '_idem_note' uses idem's reserved prefix|1",
        "name,version,ingested_at|c0,4,2024-03-02 09:00:00"
            + "|schema drift at data/b.csv:1: removed: id|0"
      })
  void evolveFailsAFileAsTheJvmRunnerDoes(String header, String row, String message, int reads)
      throws IOException {
    Map<String, Cli.Result> runs = new LinkedHashMap<>();
    Map<String, Path> pipelines = new LinkedHashMap<>();
    long driverReads = SharedSpark.driverReads();
    for (String engine : List.of("jvm", "spark")) {
      Path p = pipeline("refused-" + engine, MERGE + "schema_drift: evolve\n");
      Files.writeString(p.resolveSibling("data/b.csv"), header + "\n" + row + "\n");
      runs.put(engine, run(engine, p, "--output", "json"));
      pipelines.put(engine, p);
    }
    Cli.Result jvm = runs.get("jvm");
    Cli.Result onSpark = runs.get("spark");
    assertThat(onSpark.exit()).as(onSpark.out() + onSpark.err()).isEqualTo(jvm.exit());
    assertThat(results(onSpark.out())).isEqualTo(results(jvm.out())).containsValue("failed");
    assertThat(SharedSpark.driverReads() - driverReads)
        .as("files the driver read again")
        .isEqualTo(reads);
    assertThat(Cli.ledger(pipelines.get("spark")))
        .isEqualTo(Cli.ledger(pipelines.get("jvm")))
        .anyMatch(w -> w.contains(message));
    assertThat(Cli.deadLetters(pipelines.get("spark")))
        .isEqualTo(Cli.deadLetters(pipelines.get("jvm")));
  }

  /**
   * Under evolve, a file adding a column the table already has as another type (declared {@code
   * integer} by the pipeline's earlier version): its task loaded the column's values as text, the
   * destination loads them as integers, so the driver reads the file again itself, and the window
   * results, ledger entries, whole tables and dead letters are the JVM runner's.
   */
  @Test
  void evolveReadsAFileAgainWhenTheTableHasItsAddedColumnAsAnotherType() throws IOException {
    Map<String, Path> pipelines = new LinkedHashMap<>();
    String declared = "  ingested_at: timestamp not null\n";
    for (String engine : List.of("jvm", "spark")) {
      Path p =
          pipeline(
              "typed-" + engine,
              MERGE + "schema_drift: evolve\n",
              "id,name,version,ingested_at,extra\n1,a1,1,2024-03-01 10:00:00,5\n");
      Files.delete(p.resolveSibling("data/b.csv"));
      String yaml = Files.readString(p);
      Files.writeString(p, yaml.replace(declared, declared + "  extra: integer\n"));
      assertThat(Cli.load(p).out()).contains("1 loaded");
      Files.writeString(p, yaml);
      Files.writeString(
          p.resolveSibling("data/b.csv"),
          "id,name,version,ingested_at,extra\n"
              + "2,b1,1,2024-03-02 10:00:00,7\n"
              + "3,c1,1,2024-03-02 11:00:00,seven\n");
      pipelines.put(engine, p);
    }
    Path jvm = pipelines.get("jvm");
    Path onSpark = pipelines.get("spark");
    Cli.Result onJvm = run("jvm", jvm, "--output", "json");
    long driverReads = SharedSpark.driverReads();
    Cli.Result spark = run("spark", onSpark, "--output", "json");
    assertThat(spark.exit()).as(spark.out() + spark.err()).isEqualTo(onJvm.exit());
    assertThat(results(spark.out())).isEqualTo(results(onJvm.out()));
    assertThat(SharedSpark.driverReads() - driverReads)
        .as("files the driver read again")
        .isEqualTo(2);
    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(String.join("\n", rows)).contains("extra=7");
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).isNotEmpty();
  }

  /**
   * JSON lines: a key no line of the first file had appears in a later line, and the second file
   * never has a declared column (which JSON lines read as null). The tasks read both files (under
   * {@code evolve}, the driver resolving the key's column in the order the task typed it), and the
   * window results, ledger entries (the drift, the values discarded), tables and dead letters are
   * the JVM runner's.
   */
  @ParameterizedTest
  @ValueSource(strings = {"discard", "evolve"})
  void jsonLinesWithKeysAddedAndAbsentAreReadAsOnTheJvmRunner(String policy) throws IOException {
    Map<String, Path> pipelines = new LinkedHashMap<>();
    for (String engine : List.of("jvm", "spark")) {
      Path d =
          Files.createDirectories(tmp.resolve("json-" + policy + "-" + engine).resolve("data"));
      Files.writeString(
          d.resolve("a.jsonl"),
          "{\"id\": 1, \"name\": \"a1\", \"version\": 1, \"ingested_at\": \"2024-03-01T10:00:00\"}\n"
              + "{\"id\": 2, \"name\": \"b1\", \"version\": \"x\","
              + " \"ingested_at\": \"2024-03-01T11:00:00\"}\n"
              + "{\"id\": 3, \"name\": \"c1\", \"version\": 2, \"ingested_at\": \"2024-03-01T12:00:00\","
              + " \"extra\": 7}\n");
      Files.writeString(
          d.resolve("b.jsonl"),
          "{\"id\": 4, \"version\": 1, \"ingested_at\": \"2024-03-02T10:00:00\", \"extra\": 8}\n");
      pipelines.put(engine, jsonPipeline(d, policy));
    }
    Path jvm = pipelines.get("jvm");
    Path onSpark = pipelines.get("spark");
    long driverReads = SharedSpark.driverReads();
    assertThat(Cli.load(jvm).out()).contains("2 loaded");
    assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("2 loaded");
    assertThat(SharedSpark.driverReads() - driverReads).as("files the driver read again").isZero();
    assertThat(Cli.ledger(onSpark))
        .isEqualTo(Cli.ledger(jvm))
        .allMatch(w -> w.contains("\"values_discarded\":" + (policy.equals("evolve") ? 0 : 1)));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .hasSize(3)
        .anyMatch(r -> r.contains("extra=") == policy.equals("evolve"));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
  }

  /**
   * JSON lines under evolve with a key the destination refuses (idem's reserved prefix) in three
   * lines, the first with another new key after it, the last without a day: its task read it (its
   * guess adds anything), the driver's resolution refuses it and reads the file again, and on both
   * engines each line with the key is a dead letter (its value is not loaded unseen; the first
   * line's other key is never added, as its reader stops at the refused key), the line between them
   * loaded with its own added key; the same results, ledger entries (the drift), tables and dead
   * letters.
   */
  @Test
  void evolveDeadLettersEveryJsonLineWithAKeyTheDestinationRefuses() throws IOException {
    Map<String, Path> pipelines = new LinkedHashMap<>();
    for (String engine : List.of("jvm", "spark")) {
      Path d = Files.createDirectories(tmp.resolve("json-refused-" + engine).resolve("data"));
      Files.writeString(
          d.resolve("a.jsonl"),
          "{\"id\": 1, \"name\": \"a1\", \"version\": 1, \"ingested_at\": \"2024-03-01T10:00:00\","
              + " \"_idem_x\": \"v\", \"other\": \"z\"}\n"
              + "{\"id\": 2, \"name\": \"b1\", \"version\": 1, \"ingested_at\": \"2024-03-01T11:00:00\","
              + " \"note\": \"n2\"}\n"
              + "{\"id\": 3, \"name\": \"c1\", \"version\": 1, \"ingested_at\": \"2024-03-01T12:00:00\","
              + " \"_idem_x\": \"w\"}\n"
              + "{\"id\": 4, \"name\": \"d1\", \"version\": 1, \"ingested_at\": \"soon\","
              + " \"_idem_x\": \"u\"}\n");
      pipelines.put(engine, jsonPipeline(d, "evolve"));
    }
    Path jvm = pipelines.get("jvm");
    Path onSpark = pipelines.get("spark");
    assertThat(Cli.load(jvm).out()).contains("1 loaded");
    long driverReads = SharedSpark.driverReads();
    assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("1 loaded");
    assertThat(SharedSpark.driverReads() - driverReads).as("files the driver read again").isOne();
    assertThat(Cli.ledger(onSpark))
        .isEqualTo(Cli.ledger(jvm))
        .singleElement()
        .asString()
        .contains("added: _idem_x, note")
        .doesNotContain("other");
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"))
        .singleElement()
        .asString()
        .contains("note=n2");
    assertThat(Cli.deadLetters(onSpark))
        .isEqualTo(Cli.deadLetters(jvm))
        .hasSize(3)
        .allMatch(l -> l.contains("_idem_x"));
  }

  /** A pipeline of the JSON-lines files in {@code data} under {@code policy}. */
  private static Path jsonPipeline(Path data, String policy) throws IOException {
    Path p = data.resolveSibling("pipeline.yaml");
    Files.writeString(
        p,
        "pipeline: cross\n"
            + "source:\n  type: jsonl\n  path: data/*.jsonl\n"
            + "columns:\n  id: integer not null\n  name: string\n  version: integer\n"
            + "  ingested_at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: ingested_at\n  zone: UTC\n"
            + "max_bad_records: 10\nschema_drift: "
            + policy
            + "\n"
            + MERGE
            + "destination:\n  type: iceberg\n  warehouse: warehouse/\n");
    return p;
  }

  /**
   * A full window (no {@code windows:}) under discard reads every file, one of them only a header:
   * without a declared column the window fails at it on both engines (the earlier file's dead
   * letter kept with the failure); with an added column both load and count it discarded.
   */
  @ParameterizedTest
  @ValueSource(strings = {"id,version,ingested_at", "id,name,version,ingested_at,extra"})
  void aFullWindowsHeaderOnlyFileIsObservedOnSparkAsOnTheJvmRunner(String header)
      throws IOException {
    Map<String, Path> pipelines = new LinkedHashMap<>();
    for (String engine : List.of("jvm", "spark")) {
      Path p = pipeline("full-" + engine, MERGE).toAbsolutePath();
      Files.writeString(p, Files.readString(p).replaceAll("windows:\n(  .*\n)+", ""));
      Files.writeString(p.resolveSibling("data/b.csv"), header + "\n");
      pipelines.put(engine, p);
    }
    Path jvm = pipelines.get("jvm");
    Path onSpark = pipelines.get("spark");
    Cli.Result onJvm = run("jvm", jvm);
    Cli.Result spark = run("spark", onSpark);
    assertThat(spark.exit()).as(spark.out() + spark.err()).isEqualTo(onJvm.exit());
    assertThat(onJvm.exit()).isEqualTo(header.contains("name") ? 0 : 1);
    assertThat(Cli.ledger(onSpark))
        .isEqualTo(Cli.ledger(jvm))
        .singleElement()
        .asString()
        .contains(header.contains("name") ? "added: extra" : "removed: name");
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
  }

  /**
   * {@code idem run PIPELINE --progress none MORE...} on the JVM runner, or on this module's Spark
   * session when {@code engine} is {@code spark}; whatever its exit.
   */
  private static Cli.Result run(String engine, Path pipeline, String... more) {
    List<String> args = new ArrayList<>(List.of("run", pipeline.toString(), "--progress", "none"));
    args.addAll(List.of(more));
    if (engine.equals("spark")) {
      args.addAll(List.of(Cli.SPARK));
    }
    return Cli.run(args.toArray(String[]::new));
  }

  /** Each window's result in a run's JSON output. */
  private static Map<String, String> results(String json) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode w : new ObjectMapper().readTree(json).path("windows")) {
      out.put(w.path("window").asText(), w.path("result").asText());
    }
    return out;
  }

  @Test
  void filesOfAnAbsoluteGlobOrOutsideThePipelinesFolderAreNamedAsByTheJvmRunner()
      throws IOException {
    // an absolute glob whose files are in folders under its base, and a relative glob reaching out
    // of the pipeline's folder: positions (dead letters) name the files as the JVM runner does
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.createDirectories(in.resolve("d1"));
    Files.createDirectories(in.resolve("d2"));
    Files.writeString(in.resolve("d1/a.csv"), DAY_ONE);
    Files.writeString(in.resolve("d2/b.csv"), DAY_TWO);
    String absolute = in.toAbsolutePath().toString().replace('\\', '/') + "/*/*.csv";
    List<String> paths = List.of(absolute, "../in/*/*.csv");
    for (int i = 0; i < paths.size(); i++) {
      String path = paths.get(i);
      Path jvm = pipeline("jvm-" + i, MERGE);
      Path onSpark = pipeline("spark-" + i, MERGE);
      for (Path p : List.of(jvm, onSpark)) {
        Files.writeString(
            p, Files.readString(p).replace("path: data/*.csv", "path: '" + path + "'"));
      }
      Cli.load(jvm);
      Cli.load(onSpark, Cli.SPARK);
      assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
          .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"));
      assertThat(Cli.deadLetters(onSpark)).as(path).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
      assertThat(Cli.deadLetters(jvm).get(0))
          .contains(path.startsWith("/") ? " d1/a.csv:4 " : in.resolve("d1/a.csv") + ":4 ");
    }
  }

  /**
   * Input files whose names hold glob characters (brackets, braces) and characters YAML reads as
   * syntax (a comment's {@code " #"}, a mapping's {@code ": "}), under a relative glob and an
   * absolute one: each task reads the file it is given (its name a glob matching only itself,
   * quoted as YAML), and the window loads as on the JVM runner, the files named alike (it failed on
   * Spark: the task's glob matched no file, or YAML cut the name).
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void filesWhoseNamesHoldGlobOrYamlCharactersAreReadByTheirTasks(boolean absolute)
      throws IOException {
    Path in = Files.createDirectories(tmp.resolve("odd-" + absolute).resolve("in/d[1] {x}"));
    Files.writeString(in.resolve("a[1].csv"), DAY_ONE);
    Files.writeString(in.resolve("b #2: {x}, 'q'.csv"), DAY_TWO);
    String path =
        absolute
            ? in.getParent().toAbsolutePath().toString().replace('\\', '/') + "/*/*.csv"
            : "../odd-false/in/*/*.csv";
    Path jvm = pipeline("odd-jvm-" + absolute, MERGE);
    Path onSpark = pipeline("odd-spark-" + absolute, MERGE);
    for (Path p : List.of(jvm, onSpark)) {
      Files.writeString(p, Files.readString(p).replace("path: data/*.csv", "path: '" + path + "'"));
    }
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    long driverReads = SharedSpark.driverReads();
    long tasks = SharedSpark.tasksEnded();
    assertThat(Cli.load(onSpark, Cli.SPARK).out()).contains("3 loaded");
    assertThat(SharedSpark.driverReads()).isEqualTo(driverReads);
    await().untilAsserted(() -> assertThat(SharedSpark.tasksEnded() - tasks).isEqualTo(4));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t"))
        .isEqualTo(TableContents.of(jvm.resolveSibling("warehouse"), "t"));
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
    assertThat(Cli.deadLetters(jvm).get(0)).contains("a[1].csv:4 ");
  }

  /**
   * replace_window refusing a window whose keys another window holds names the least such key on
   * both engines, whatever order its rows came in: a Spark task folding early sends key 2's winner
   * (line 4) without its earlier row (line 2), and the refusal named key 2 on the JVM runner (its
   * first row came first) but key 1 on Spark (a review found it).
   */
  @Test
  void aReplaceWindowRefusalNamesTheSameKeyOnBothEngines() throws IOException {
    String target =
        "target:\n  table: t\n  key: [id]\n  strategy: replace_window\n  order_by: version\n";
    String dayOne =
        "id,name,version,ingested_at\n1,a,1,2024-03-01 10:00:00\n2,b,1,2024-03-01 10:00:00\n";
    String dayTwo =
        "id,name,version,ingested_at\n"
            + "2,c,1,2024-03-02 10:00:00\n"
            + "1,d,1,2024-03-02 10:00:00\n"
            + "2,e,2,2024-03-02 11:00:00\n";
    Map<String, String> messages = new TreeMap<>();
    for (String engine : List.of("jvm", "spark")) {
      Path p = pipeline("refusal-" + engine, target, dayOne);
      Files.writeString(p.resolveSibling("data/b.csv"), dayTwo);
      Cli.Result r = run(engine, p, "--output", "json");
      assertThat(r.exit()).as(r.err()).isNotZero();
      for (JsonNode w : new ObjectMapper().readTree(r.out()).path("windows")) {
        if (w.path("result").asText().equals("failed")) {
          messages.put(engine, w.path("window").asText() + " " + w.path("message").asText());
        }
      }
    }
    assertThat(messages.get("jvm"))
        .contains("2024-03-02")
        .contains("key [id]=[1] is already in window 2024-03-01");
    assertThat(messages.get("spark")).isEqualTo(messages.get("jvm"));
  }

  /**
   * A file whose name holds a backslash cannot be named to a task (a pipeline file's path takes a
   * backslash for a separator): the run fails at once with one line naming the file, rather than a
   * task matching no file.
   */
  @Test
  void aFileNameWithABackslashIsRefusedOnSparkWithOneLine() throws IOException {
    Path onSpark = pipeline("backslash", MERGE);
    Files.writeString(onSpark.resolveSibling("data/c\\d.csv"), DAY_TWO);
    Cli.Result r = run("spark", onSpark);
    assertThat(r.exit()).as(r.out()).isNotZero();
    assertThat(r.err())
        .contains(
            "--engine spark cannot name the input file data/c\\d.csv to a task: its name holds a"
                + " backslash");
  }
}
