package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.iceberg.IcebergDestination;
import dev.idem.iceberg.IcebergSettings;
import dev.idem.iceberg.TableContents;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILLs a real {@code idem run --engine spark --master local[2]} child process (the driver, with
 * its local executors) in the middle of a multi-window backfill into an Iceberg table of a local
 * warehouse, at a seeded random moment (once it claimed its first window and a random number of
 * windows landed, plus a random delay: in a claim, a window's Spark job, its fold and write, its
 * commit, or the run's end), then runs the backfill again to completion on Spark. The table equals
 * a clean Spark run's (whole contents), the dead letters too, the ledger holds every window once,
 * DONE, and the table's history holds one data commit per window; a third run finds every window
 * unchanged. {@code -Didem.spark.kill.trials=N} and {@code -Didem.spark.kill.seed=S} set the number
 * of kills (default 5) and the seed.
 *
 * <p>The clean run is made by {@code spark-submit} (Spark's {@code SparkSubmit} with {@code
 * --master local[2]} and idem's main class {@code dev.idem.spark.Submit}); the JVM runner then
 * finds its windows unchanged. Odd trials run two windows at a time ({@code --parallel 2}); in a
 * trial of four (an odd one: two windows at a time) each window's rows are kept where its reading
 * tasks ran and cut into slices of keys that Spark tasks plan where a shuffle brings them ({@code
 * -Didem.window.slice.rows=1}, none on the driver), in another the killed driver spills every
 * window's rows to its disk and plans it in slices ({@code -Didem.window.memory.rows=1}), in a
 * third the same with the slices planned by Spark tasks, in the fourth every window is held in
 * memory on the driver and cut into slices planned by Spark tasks (the last three with {@code
 * -Didem.spark.keep.rows=false}); the killed driver's log (at info) shows each window it loaded
 * planned so. Also: another process (a JVM runner, or a second Spark application) and a Spark run
 * (this JVM's session) on the same table at once never both land a window; and a run whose every
 * task fails once after its work (Spark runs it again) equals the clean run.
 */
@Tag("spark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkDriverKillTest {
  private static final int DAYS = 5;
  private static final int ROWS_PER_DAY = 800;
  private static final LocalDate FIRST = LocalDate.parse("2024-05-01");
  private static final int TRIALS = Integer.getInteger("idem.spark.kill.trials", 5);
  private static final long SEED = Long.getLong("idem.spark.kill.seed", 16);
  private static final Pattern LOADED = Pattern.compile(" LOADED: ");
  private static final Duration CHILD_LIMIT = Duration.ofMinutes(5);

  @TempDir static Path shared;
  private List<String> cleanRows;
  private List<String> cleanLetters;
  private List<String> windowIds;

  @BeforeAll
  void inputAndACleanRun() throws Exception {
    SharedSpark.session();
    Path input = Files.createDirectories(shared.resolve("input"));
    Random random = new Random(42);
    for (int d = 0; d < DAYS; d++) {
      StringBuilder csv = new StringBuilder("id,name,version,ingested_at\n");
      for (int i = 0; i < ROWS_PER_DAY; i++) {
        // keys repeat within a day and across days: folds in a window, version order across them
        csv.append(random.nextInt(2_000))
            .append(",n")
            .append(random.nextInt(1_000_000))
            .append(',')
            .append(random.nextInt(50))
            .append(',')
            .append(FIRST.plusDays(d))
            .append(String.format(" %02d:%02d:00%n", i % 24, i % 60));
        if (i == ROWS_PER_DAY / 2) {
          csv.append("bad")
              .append(d)
              .append(",x,1,")
              .append(FIRST.plusDays(d))
              .append(" 12:00:00\n");
        }
      }
      Files.writeString(input.resolve("day-" + FIRST.plusDays(d) + ".csv"), csv);
    }
    // the clean run, by spark-submit: Spark's SparkSubmit with --master local[2] runs idem's
    // main class for it (dev.idem.spark.Submit), which takes the master from the SparkConf
    Path clean = workspace("clean");
    Process submitted = ChildIdem.submit(clean, "run", "pipeline.yaml", "--progress", "none");
    assertThat(submitted.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(submitted.exitValue()).as(ChildIdem.err(clean)).isZero();
    assertThat(ChildIdem.out(clean)).contains(DAYS + " loaded");
    // on Spark: the engine (--engine spark, added by Submit) took the session spark-submit's main
    // class started from the SparkConf, which Spark says when a builder finds one running
    assertThat(ChildIdem.err(clean)).contains("Using an existing Spark session");
    // and the JVM runner finds the windows spark-submit loaded unchanged
    Cli.Result jvm = run(clean);
    assertThat(jvm.exit()).as(jvm.out() + jvm.err()).isZero();
    assertThat(jvm.out()).contains(DAYS + " unchanged");
    cleanRows = TableContents.of(clean.resolve("warehouse"), "t");
    assertThat(cleanRows).hasSizeGreaterThan(ROWS_PER_DAY);
    cleanLetters = Cli.deadLetters(clean.resolve("pipeline.yaml"));
    assertThat(cleanLetters).hasSize(DAYS);
    windowIds = new ArrayList<>(TableContents.landings(clean.resolve("warehouse"), "t").keySet());
    assertThat(windowIds).hasSize(DAYS);
    assertLandedOnce(clean);
  }

  private Path workspace(String name) throws IOException {
    Path dir = Files.createDirectories(shared.resolve(name));
    String input = shared.resolve("input").toAbsolutePath().toString().replace('\\', '/');
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: spark_kill",
            "source: {type: csv, path: '" + input + "/day-*.csv', header: true}",
            "columns: {id: integer not null, name: string, version: integer,"
                + " ingested_at: timestamp not null}",
            "windows: {kind: day, column: ingested_at, zone: UTC}",
            "max_bad_records: 10",
            "target: {table: t, key: [id], strategy: merge, order_by: version}",
            "destination: {type: iceberg, warehouse: warehouse/}",
            ""));
    return dir;
  }

  /** Runs idem in this JVM (the module's Spark session when the engine is spark). */
  private static Cli.Result run(Path dir, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("run", dir.resolve("pipeline.yaml").toString(), "--progress", "none"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void sigkillOfTheSparkDriverMidBackfillThenARerunEqualsACleanRun() throws Exception {
    Random random = new Random(SEED);
    List<String> moments = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      int landed = random.nextInt(DAYS);
      long delayMillis = random.nextInt(600);
      String parallel = trial % 2 == 0 ? "1" : "2"; // odd trials: two windows in flight
      // a trial in four (odd: two windows at a time): every window's rows kept where its reading
      // tasks ran, cut into slices planned by Spark tasks where a shuffle brings them (the child's
      // default is the test JVM's, executor writes); one: every window's rows spilled to the
      // driver's disk, planned in slices; one: the same, the slices planned by Spark tasks; one:
      // every window held in memory on the driver, cut into slices planned by Spark tasks
      List<String> spill =
          switch (trial % 4) {
            case 1 -> List.of("-Didem.window.slice.rows=1");
            case 0 ->
                List.of(
                    "-Didem.window.slice.rows=1",
                    "-Didem.spark.executor.writes=true",
                    "-Didem.spark.keep.rows=false");
            case 2 ->
                List.of(
                    "-Didem.window.memory.rows=1",
                    "-Didem.window.slices=3",
                    // the child's default is the test JVM's (true): here, the driver plans them
                    "-Didem.spark.executor.writes=false");
            case 3 ->
                List.of(
                    "-Didem.window.memory.rows=1",
                    "-Didem.window.slices=3",
                    "-Didem.spark.executor.writes=true",
                    "-Didem.spark.keep.rows=false");
            default -> throw new IllegalStateException();
          };
      String slicing =
          switch (trial % 4) {
            case 1 -> KEPT_BY_TASKS;
            case 0 -> HELD_BY_TASKS;
            case 2 -> SPILLED_HERE;
            case 3 -> SPILLED_BY_TASKS;
            default -> throw new IllegalStateException();
          };
      boolean killed = false;
      for (int attempt = 0; attempt < 4 && !killed; attempt++) {
        Path dir = workspace("kill-" + trial + "-" + attempt);
        Process p =
            ChildIdem.start(
                dir,
                spill,
                "run",
                "pipeline.yaml",
                "--engine",
                "spark",
                "--master",
                "local[2]",
                "--parallel",
                parallel,
                "--progress",
                "plain",
                "--log-level",
                "info");
        int wanted = landed;
        await()
            .atMost(CHILD_LIMIT)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !p.isAlive() || (claimed(dir) && loadedLines(dir) >= wanted));
        Thread.sleep(delayMillis);
        if (p.isAlive()) {
          int before = loadedLines(dir);
          p.destroyForcibly(); // SIGKILL on Linux
          assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
          killed = true;
          // each window the killed driver loaded was planned in slices as the trial meant (and
          // none in the trials without), by its log
          Map<String, Integer> plans = slicedPlans(dir);
          assertThat(plans.keySet()).as(ChildIdem.err(dir)).isSubsetOf(slicing);
          assertThat(plans.getOrDefault(slicing, 0))
              .as(ChildIdem.err(dir))
              .isGreaterThanOrEqualTo(before);
          moments.add(
              "trial "
                  + trial
                  + " (--parallel "
                  + parallel
                  + ", "
                  + slicing
                  + "): killed after "
                  + before
                  + " windows + "
                  + delayMillis
                  + " ms, "
                  + plans.values().stream().mapToInt(Integer::intValue).sum()
                  + " plans in slices logged");
          assertRerunEqualsClean(dir, "trial " + trial);
        } else {
          // the run ended first (a quieter moment): again, earlier
          assertThat(p.exitValue()).as(ChildIdem.err(dir)).isZero();
          landed /= 2;
          delayMillis /= 2;
        }
      }
      assertThat(killed).as("trial %d: no attempt was still running when killed", trial).isTrue();
    }
    System.out.println("SparkDriverKillTest (seed " + SEED + "): " + String.join("; ", moments));
    assertThat(moments).hasSize(TRIALS);
  }

  /**
   * Spark runs a task again when an attempt fails (from the driver's side, a lost executor looks
   * the same): every task's first attempt fails once its work is done (a reading task's file read
   * and folded, a writing task's data file written), on {@code local[2,2]} (one retry a task). The
   * run equals the clean run, and the data files the failed attempts wrote are gone: the table's
   * folder holds only files its commits name.
   */
  @ParameterizedTest(name = "rows kept where read: {0}")
  @ValueSource(booleans = {true, false})
  void everyTaskFailingOnceAfterItsWorkIsRunAgainAndTheLoadEqualsACleanRun(boolean keepRows)
      throws Exception {
    Path dir = workspace("retried-" + keepRows);
    loadInChild(
        dir,
        "local[2,2]",
        "-Didem.fault.spark.fail.first.attempt=true",
        "-Didem.spark.keep.rows=" + keepRows);
    String err = ChildIdem.err(dir);
    Map<String, Integer> lost = lostAttempts(err);
    System.out.println("SparkDriverKillTest: attempts lost, by job: " + lost);
    // Spark lost the first attempt of every task: each file's hashing and scanning tasks (one
    // file a day), each window's reading task (its kept rows not kept) and, rows kept, the task
    // planning its one slice, which writes its new rows, else its two writing tasks
    // (idem.iceberg.rows.per.task=1 on local[2]) ...
    assertThat(
            lost.entrySet().stream()
                .filter(e -> !TABLE_JOB.matcher(e.getKey()).find())
                .mapToInt(Map.Entry::getValue)
                .sum())
        .as(err)
        .isEqualTo(DAYS * 2 + DAYS * (keepRows ? 2 : 3));
    // ... and the tasks of each later window's plan: those reading the table's files that may
    // hold its keys (the files split among two tasks; rows kept, the slice's task reads them) and a
    // task for each file an update rewrites
    int tableJobs = 0;
    for (Map.Entry<String, Integer> job : lost.entrySet()) {
      Matcher m = TABLE_JOB.matcher(job.getKey());
      if (m.find()) {
        int files = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
        assertThat(job.getValue())
            .as(job.getKey())
            .isEqualTo(m.group(1) != null ? Math.min(files, 2) : files);
        tableJobs++;
      }
    }
    assertThat(tableJobs).as(err).isEqualTo((DAYS - 1) * (keepRows ? 1 : 2));
    assertThat(TableContents.of(dir.resolve("warehouse"), "t")).isEqualTo(cleanRows);
    assertThat(Cli.deadLetters(dir.resolve("pipeline.yaml"))).isEqualTo(cleanLetters);
    assertLandedOnce(dir);
    assertThat(dataFiles(dir))
        .isEqualTo(TableContents.committedFiles(dir.resolve("warehouse"), "t"));
  }

  /**
   * A window whose records are more than the driver takes from one job ({@code
   * spark.driver.maxResultSize}, here 1 MiB for a file of 2 MiB of unique keys, which its task
   * cannot fold), sent to the driver ({@code -Didem.spark.keep.rows=false}), fails once, with a
   * message saying what to raise: the same job again would fail the same way, so it is not retried
   * as a transient failure (it was, until the attempts ran out). Kept where its reading task ran
   * (the default where Spark tasks plan the window), none of its rows comes to the driver: the same
   * window loads under the same limit.
   */
  @ParameterizedTest(name = "rows kept where read: {0}")
  @ValueSource(booleans = {false, true})
  void aWindowLargerThanTheDriversResultSizeFailsOnceSayingWhatToRaise(boolean keepRows)
      throws Exception {
    Path dir = Files.createDirectories(shared.resolve("result-size-" + keepRows));
    StringBuilder csv = new StringBuilder("id,name,version,ingested_at\n");
    for (int i = 0; csv.length() < 2 << 20; i++) {
      csv.append(i).append(",name-").append(i).append(",1,2024-05-01 10:00:00\n");
    }
    Files.createDirectories(dir.resolve("in"));
    Files.writeString(dir.resolve("in/day-2024-05-01.csv"), csv);
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        Files.readString(workspace("result-size").resolve("pipeline.yaml"))
            .replace(shared.resolve("input").toAbsolutePath().toString(), "in"));
    Process p =
        ChildIdem.start(
            dir,
            List.of("-Dspark.driver.maxResultSize=1m", "-Didem.spark.keep.rows=" + keepRows),
            "run",
            "pipeline.yaml",
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--output",
            "json",
            "--progress",
            "none");
    assertThat(p.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    JsonNode window = new ObjectMapper().readTree(ChildIdem.out(dir)).path("windows").get(0);
    if (keepRows) {
      assertThat(p.exitValue()).as(ChildIdem.err(dir)).isZero();
      assertThat(window.path("result").asText()).as(ChildIdem.out(dir)).isEqualTo("loaded");
      assertThat(window.path("inserted").asLong()).isGreaterThan(40_000);
      return;
    }
    assertThat(p.exitValue()).as(ChildIdem.err(dir)).isNotZero();
    assertThat(window.path("result").asText()).isEqualTo("failed");
    assertThat(window.path("attempts").asInt()).isEqualTo(1);
    assertThat(window.path("message").asText())
        .contains("spark.driver.maxResultSize")
        .contains("raise spark.driver.maxResultSize");
  }

  /**
   * Kryo as Spark's serializer (a cluster's common {@code spark.serializer}), which then carries
   * the tasks' inputs (a window's files to read, rows to write, files to learn) and their results,
   * and the keys the lookups share (as bytes): the run equals the clean run.
   */
  @Test
  void aRunWithKryoAsSparksSerializerEqualsACleanRun() throws Exception {
    Path dir = workspace("kryo");
    loadInChild(
        dir,
        "local[2]",
        "-Dspark.serializer=org.apache.spark.serializer.KryoSerializer",
        "-Dspark.kryo.registrator=" + SayingKryoRegistrator.class.getName());
    assertThat(ChildIdem.err(dir)).contains(SayingKryoRegistrator.SAYS);
    assertThat(TableContents.of(dir.resolve("warehouse"), "t")).isEqualTo(cleanRows);
    assertThat(Cli.deadLetters(dir.resolve("pipeline.yaml"))).isEqualTo(cleanLetters);
    assertLandedOnce(dir);
  }

  /** Loads the backfill in a child {@code idem run --engine spark} with these JVM options. */
  private static void loadInChild(Path dir, String master, String... jvmOptions) throws Exception {
    Process p =
        ChildIdem.start(
            dir,
            List.of(jvmOptions),
            "run",
            "pipeline.yaml",
            "--engine",
            "spark",
            "--master",
            master,
            "--progress",
            "none");
    assertThat(p.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(ChildIdem.err(dir)).isZero();
    assertThat(ChildIdem.out(dir)).contains(DAYS + " loaded");
  }

  /** The tasks whose first attempt the fault failed, by the description of their job. */
  private static Map<String, Integer> lostAttempts(String err) {
    Matcher m = LOST.matcher(err);
    Map<String, Integer> lost = new TreeMap<>();
    while (m.find()) {
      lost.merge(m.group(1), 1, Integer::sum);
    }
    return lost;
  }

  private static final Pattern LOST =
      Pattern.compile("Lost task [^\\n]*of '([^']*)' failed after its work");

  /** A job of a window's plan: the table's files looked up for its keys, or rewritten. */
  private static final Pattern TABLE_JOB =
      Pattern.compile("keys looked up in (\\d+) data files|: (\\d+) data files rewritten");

  /** The names of the Parquet files in the table's data folder. */
  private static Set<String> dataFiles(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir.resolve("warehouse/idem/t/data"))) {
      return all.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".parquet"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private void assertRerunEqualsClean(Path dir, String trial) throws IOException {
    Cli.Result rerun = run(dir, "--engine", "spark", "--master", "local[2]");
    assertThat(rerun.exit()).as("%s: %s%s", trial, rerun.out(), rerun.err()).isZero();
    assertThat(TableContents.of(dir.resolve("warehouse"), "t")).as(trial).isEqualTo(cleanRows);
    assertThat(Cli.deadLetters(dir.resolve("pipeline.yaml"))).as(trial).isEqualTo(cleanLetters);
    assertLandedOnce(dir);
    Cli.Result again = run(dir, "--engine", "spark", "--master", "local[2]");
    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).as(trial).contains(DAYS + " unchanged");
  }

  /** The ledger holds every window once, DONE; the table's history one data commit per window. */
  private void assertLandedOnce(Path dir) throws IOException {
    List<WindowState> states;
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      states = d.ledger().states("spark_kill");
    }
    assertThat(states).extracting(WindowState::windowId).hasSize(DAYS).doesNotHaveDuplicates();
    assertThat(states).extracting(WindowState::status).containsOnly(WindowStatus.DONE);
    Map<String, Integer> landings = TableContents.landings(dir.resolve("warehouse"), "t");
    assertThat(landings.values()).as("data commits per window: %s", landings).containsOnly(1);
    assertThat(landings).hasSize(DAYS);
    if (windowIds != null) {
      assertThat(landings.keySet()).containsExactlyElementsOf(windowIds);
    }
  }

  /**
   * The run has claimed its first window: the table's ledger file exists (its first change is the
   * first claim, made after the Spark session started), so no kill lands in the JVM's start-up.
   */
  private static boolean claimed(Path dir) {
    return Files.isDirectory(dir.resolve("warehouse/idem/_idem_ledger/t"));
  }

  private static final String KEPT_BY_TASKS = "kept where they were read, by the workers";
  private static final String HELD_BY_TASKS = "held in memory, by the workers";
  private static final String SPILLED_HERE = "spilled to disk, one after another here";
  private static final String SPILLED_BY_TASKS = "spilled to disk, by the workers";

  /** A window's plan in slices, as the destination logs it at info (iceberg's WindowPlan). */
  private static final Pattern SLICED =
      Pattern.compile(
          "window \\S+: \\d+ rows (spilled to disk|held in memory|kept where they were read),"
              + " planned in \\d+ slices of"
              + " their keys (by the workers|one after another here)");

  /** How many windows' plans in slices the child logged, by how ("held in memory, by ..."). */
  private static Map<String, Integer> slicedPlans(Path dir) throws IOException {
    Matcher m = SLICED.matcher(ChildIdem.err(dir));
    Map<String, Integer> plans = new TreeMap<>();
    while (m.find()) {
      plans.merge(m.group(1) + ", " + m.group(2), 1, Integer::sum);
    }
    return plans;
  }

  private static int loadedLines(Path dir) throws IOException {
    Matcher m = LOADED.matcher(ChildIdem.err(dir));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /**
   * The other runner is a child process on the JVM runner ({@code jvm}) or a second Spark
   * application ({@code spark}, {@code --engine spark --master local[1]}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"jvm", "spark"})
  void anotherProcessAndASparkRunOnOneTableAtOnceNeverBothLandAWindow(String engine)
      throws Exception {
    Path dir = workspace("race-" + engine);
    // the other runner (a child process) pauses in the second window, before its commit, holding
    // the window's lease; the Spark run starts then: it finds the first window done, the second
    // held by a live runner, and races the other runner, once it resumes, for the others
    String second = windowIds.get(1);
    List<String> args = new ArrayList<>(List.of("run", "pipeline.yaml", "--output", "json"));
    if (engine.equals("spark")) {
      args.addAll(List.of("--engine", "spark", "--master", "local[1]"));
    }
    Process jvm =
        ChildIdem.start(
            dir,
            List.of(
                "-Didem.fault.pause=BEFORE_COMMIT:" + second, "-Didem.fault.pause.millis=10000"),
            args.toArray(String[]::new));
    await()
        .atMost(CHILD_LIMIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !jvm.isAlive() || ChildIdem.err(dir).contains("idem: pausing at"));
    Cli.Result onSpark = run(dir, "--engine", "spark", "--master", "local[2]", "--output", "json");
    assertThat(jvm.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(jvm.exitValue()).as(ChildIdem.err(dir)).isZero();
    assertThat(onSpark.exit()).as(onSpark.out() + onSpark.err()).isZero();
    List<String> byJvm = loaded(ChildIdem.out(dir));
    List<String> bySpark = loaded(onSpark.out());
    System.out.println(
        "SparkDriverKillTest race: " + engine + " child loaded " + byJvm + ", spark " + bySpark);
    List<String> all = new ArrayList<>(byJvm);
    all.addAll(bySpark);
    assertThat(all).as("jvm %s, spark %s", byJvm, bySpark).doesNotHaveDuplicates();
    assertThat(all).containsExactlyInAnyOrderElementsOf(windowIds);
    assertThat(byJvm).contains(windowIds.get(0), second);
    assertThat(bySpark).as("the Spark run landed windows").isNotEmpty();
    assertThat(TableContents.of(dir.resolve("warehouse"), "t")).isEqualTo(cleanRows);
    assertLandedOnce(dir);
  }

  /** The windows a run's JSON results report loaded. */
  private static List<String> loaded(String json) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode w : new ObjectMapper().readTree(json).path("windows")) {
      if (w.path("result").asText().equals("loaded")) {
        ids.add(w.path("window").asText());
      }
    }
    return ids;
  }
}
