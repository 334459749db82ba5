package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.iceberg.TableSums;
import dev.idem.testkit.source.OrdersGenerator;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 5, the Spark benchmark: on the same generated orders (idem-testkit's {@code
 * OrdersGenerator}, idem-bench's data: unique order ids, one CSV file per day; with {@code
 * -Dbench.versions=V}, each order V times in its day's file, later each time, as a change feed
 * gives it), a {@code merge} first load into a local Iceberg warehouse by
 *
 * <ul>
 *   <li>s1: idem on Spark, {@code --engine spark --master local[2]};
 *   <li>s2: a hand-written Spark job doing the same without idem, per day: {@code spark.read.csv}
 *       with the schema, the greatest version per key ({@code row_number} over the key by {@code
 *       updated_at} descending), {@code MERGE INTO} an Iceberg table through Iceberg's Spark
 *       catalog with a version guard, on the same {@code local[2]} session;
 *   <li>s3: idem on Spark {@code local[1]} (scaling against s1);
 *   <li>s4: the JVM runner ({@code idem run} without {@code --engine});
 *   <li>s5: s1 with two windows at a time ({@code --parallel 2});
 *   <li>s6: s1 with each window's new rows written as data files by Spark tasks, as on a cluster
 *       ({@code -Didem.spark.executor.writes=true}, in tasks of at least 10,000 rows), the rows
 *       sent to the driver ({@code -Didem.spark.keep.rows=false});
 *   <li>s8: s6 with the rows kept where the reading tasks ran (the default where Spark tasks plan
 *       the window, as on a cluster): planned in slices of their keys by Spark tasks a shuffle
 *       feeds, none on the driver;
 *   <li>s7: s1 with the reading tasks not folding their records by key ({@code
 *       -Didem.spark.fold.keys=0}): every record comes to the driver, which folds them all.
 * </ul>
 *
 * <p>Wall seconds, CPU seconds of this JVM (everything runs in it: the driver, the executors'
 * threads, Iceberg), rows/s, the greatest heap in use right after a collection during the case
 * ({@link HeapAfterGc}: an upper bound of what the driver and the executors' threads held, in the
 * module's test JVM of {@code -Xmx1g}), and the ratios. A Spark session is started before its cases
 * and not timed. Every table is checked to hold every generated order's last version (count and
 * sums).
 *
 * <p>Not in {@code ./mvnw verify} (the class name matches none of surefire's includes); run:
 *
 * <pre>
 * ./mvnw -o -pl idem-spark -am test -Dtest=SparkBench -Dsurefire.failIfNoSpecifiedTests=false \
 *   [-Dbench.rows=1000000] [-Dbench.days=10] [-Dbench.versions=1] [-Dbench.keep=true]
 *   [-Dbench.cases=s1,s2]
 *   [-Dbench.jfr=true]
 * </pre>
 *
 * The results are in {@code idem-spark/target/spark-bench.txt} (and the test's output file).
 */
@Tag("bench")
class SparkBench {

  private record Result(String id, String what, long rows, double wall, double cpu, double heap) {
    double rate() {
      return rows / wall;
    }
  }

  private static final String EXECUTOR_WRITES = "idem.spark.executor.writes";
  private static final String ROWS_PER_TASK = "idem.iceberg.rows.per.task";
  private static final String FOLD_KEYS = "idem.spark.fold.keys";

  private static final String KEEP_ROWS = "idem.spark.keep.rows";

  /** The cases to run, {@code -Dbench.cases=s1,s2} (default all seven). */
  private static final List<String> CASES =
      List.of(System.getProperty("bench.cases", "s4,s1,s6,s5,s2,s3,s7").split(",", -1));

  private final List<Result> results = new ArrayList<>();
  private final StringBuilder report = new StringBuilder();

  @Test
  void sparkBenchmark() throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000L);
    int days = Integer.getInteger("bench.days", 10);
    // each order's rows in its day's file: above 1, a change feed whose older versions are folded
    int versions = Integer.getInteger("bench.versions", 1);
    Path work = Files.createTempDirectory("idem-spark-bench");
    Path data = work.resolve("data");
    line(
        String.format(
            Locale.ROOT,
            "generating %,d rows in %d day files (%d rows an order) under %s; load average %.2f",
            rows,
            days,
            versions,
            work,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    Expected expected =
        expected(
            OrdersGenerator.orders(rows, days, versions),
            OrdersGenerator.generate(data, rows, days, 42, versions));

    if (runs("s4")) {
      Path s4 = pipeline(work.resolve("s4"), data);
      time("s4", "JVM runner (idem run, no --engine)", rows, () -> Cli.load(s4));
      expected.check(idemTable(s4));
    }
    onSpark("s1", "idem on Spark local[2]", 2, work, data, rows, expected);
    onSpark(
        "s6",
        "idem on Spark local[2], data files written by Spark tasks (" + EXECUTOR_WRITES + ")",
        2,
        work,
        data,
        rows,
        expected);
    onSpark(
        "s8",
        "idem on Spark local[2], rows kept where read, planned by Spark tasks (a shuffle)",
        2,
        work,
        data,
        rows,
        expected);
    onSpark(
        "s5",
        "idem on Spark local[2], two windows at a time (--parallel 2)",
        2,
        work,
        data,
        rows,
        expected,
        "--parallel",
        "2");
    if (runs("s2")) {
      hand(work, data, days, rows, 2, expected);
    }
    onSpark("s3", "idem on Spark local[1]", 1, work, data, rows, expected);
    onSpark(
        "s7",
        "idem on Spark local[2], tasks not folding (" + FOLD_KEYS + "=0)",
        2,
        work,
        data,
        rows,
        expected);

    line("");
    line("| case | what | rows/s | seconds | CPU s | heap after GC, MiB |");
    line("|---|---|---:|---:|---:|---:|");
    for (Result r : results) {
      line(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,.0f | %.2f | %.2f | %.0f |",
              r.id(),
              r.what(),
              r.rate(),
              r.wall(),
              r.cpu(),
              r.heap()));
    }
    line("");
    ratio("s1/s2 time, idem on Spark / hand-written (target <= 1.15)", "s1", "s2", Result::wall);
    ratio("s1/s2 CPU", "s1", "s2", Result::cpu);
    ratio("s3/s1 time, local[1] / local[2] (scaling)", "s3", "s1", Result::wall);
    ratio(
        "s6/s1 time, data files written by Spark tasks / by the driver", "s6", "s1", Result::wall);
    ratio("s6/s1 CPU", "s6", "s1", Result::cpu);
    ratio("s8/s6 time, rows kept where read / sent to the driver", "s8", "s6", Result::wall);
    ratio("s8/s6 CPU", "s8", "s6", Result::cpu);
    ratio("s8/s2 time, rows kept where read / hand-written", "s8", "s2", Result::wall);
    ratio("s4/s1 time, JVM runner / idem on Spark local[2]", "s4", "s1", Result::wall);
    ratio("s7/s1 time, tasks not folding / folding", "s7", "s1", Result::wall);
    ratio("s7/s1 CPU", "s7", "s1", Result::cpu);
    line(
        String.format(
            Locale.ROOT,
            "load average at the end %.2f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    Files.writeString(Path.of("target", "spark-bench.txt"), report, StandardCharsets.UTF_8);
    assertThat(results).hasSize(CASES.size());
    if (!Boolean.getBoolean("bench.keep")) { // the data and four warehouses: 0.5 GB per 10M rows
      try (var files = Files.walk(work)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  /** A case of idem on Spark at {@code local[cores]}, on a session started before (untimed). */
  private void onSpark(
      String id,
      String what,
      int cores,
      Path work,
      Path data,
      long rows,
      Expected expected,
      String... more)
      throws Exception {
    if (!runs(id)) {
      return;
    }
    SparkSession session = session(cores);
    Path p = pipeline(work.resolve(id), data);
    List<String> args =
        new ArrayList<>(List.of("--engine", "spark", "--master", "local[" + cores + "]"));
    args.addAll(List.of(more));
    // this module's tests run with the executors writing; only s6 and s8 do here, in tasks of
    // the default size, s6 with the rows sent to the driver
    String writes =
        System.setProperty(EXECUTOR_WRITES, String.valueOf(id.equals("s6") || id.equals("s8")));
    String keep = System.setProperty(KEEP_ROWS, String.valueOf(!id.equals("s6")));
    String perTask = System.clearProperty(ROWS_PER_TASK);
    String foldKeys = id.equals("s7") ? System.setProperty(FOLD_KEYS, "0") : null;
    try {
      ReadingTasks reading = new ReadingTasks();
      session.sparkContext().addSparkListener(reading);
      time(id, what, rows, () -> Cli.load(p, args.toArray(String[]::new)));
      session.sparkContext().removeSparkListener(reading);
      line(id + ": " + reading.ended.get() + " tasks reading the windows' input");
    } finally {
      restore(EXECUTOR_WRITES, writes);
      restore(KEEP_ROWS, keep);
      restore(ROWS_PER_TASK, perTask);
      if (id.equals("s7")) {
        restore(FOLD_KEYS, foldKeys);
      }
    }
    expected.check(idemTable(p));
    session.stop();
  }

  /** Counts the tasks of the jobs reading windows' input ("idem window <id>"), as they end. */
  private static final class ReadingTasks extends SparkListener {
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    final AtomicLong ended = new AtomicLong();

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      String description =
          job.properties() == null ? null : job.properties().getProperty("spark.job.description");
      if (description != null && description.matches("idem window [^:]+")) {
        job.stageIds().foreach(id -> stages.add((Integer) id));
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
      if (stages.contains(task.stageId())) {
        ended.incrementAndGet();
      }
    }
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private void time(String id, String what, long rows, Body body) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.gc(); // what the cases before left is not this case's
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    HeapAfterGc heap = new HeapAfterGc();
    try (heap) {
      if (Boolean.getBoolean("bench.jfr")) { // a profile of the case: target/spark-bench-<id>.jfr
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
          recording.start();
          body.run();
          recording.dump(Path.of("target", "spark-bench-" + id + ".jfr"));
        }
      } else {
        body.run();
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    Result r = new Result(id, what, rows, wall, cpu, heap.greatestMib());
    results.add(r);
    line(
        String.format(
            Locale.ROOT,
            "%s %s: %.2f s, CPU %.2f s, %,.0f rows/s, heap after GC at most %.0f MiB, load"
                + " average %.2f",
            id,
            what,
            wall,
            cpu,
            r.rate(),
            r.heap(),
            os.getSystemLoadAverage()));
  }

  private static boolean runs(String id) {
    return CASES.contains(id);
  }

  /** The ratio of two cases' measure, when both ran. */
  private void ratio(String what, String a, String b, ToDoubleFunction<Result> measure) {
    Optional<Result> ra = results.stream().filter(r -> r.id().equals(a)).findFirst();
    Optional<Result> rb = results.stream().filter(r -> r.id().equals(b)).findFirst();
    if (ra.isPresent() && rb.isPresent()) {
      double value = measure.applyAsDouble(ra.get()) / measure.applyAsDouble(rb.get());
      line(String.format(Locale.ROOT, "%s: %.3f", what, value));
    }
  }

  private void line(String s) {
    System.out.println(s);
    report.append(s).append('\n');
  }

  /** A merge pipeline of the orders into a warehouse beside it. */
  private static Path pipeline(Path dir, Path data) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(
        file,
        """
        pipeline: spark_bench
        version: 1
        source:
          type: csv
          path: %s/orders-*.csv
          header: true
        columns:
          order_id: integer not null
          customer: string
          product: string
          quantity: integer
          amount: decimal(12,2)
          status: string
          updated_at: timestamp not null
        windows:
          kind: day
          column: updated_at
          zone: UTC
        target:
          table: orders
          key: [order_id]
          strategy: merge
          order_by: updated_at
        destination:
          type: iceberg
          warehouse: warehouse/
        """
            .formatted(data.toAbsolutePath()),
        StandardCharsets.UTF_8);
    return file;
  }

  /** The session idem's Spark cases run on (the engine uses a running one), started untimed. */
  private static SparkSession session(int cores) {
    return HandWrittenMerge.local(cores).getOrCreate();
  }

  /**
   * s2 in a child JVM: this JVM's class path has idem-iceberg's Iceberg jars before Iceberg's Spark
   * runtime (as ./idem does), which breaks the runtime's own (shaded Parquet) writer; a user's
   * Spark job has the runtime alone. The child times its job after its session started and reports
   * its wall and CPU seconds and the table's sums.
   */
  private void hand(Path work, Path data, int days, long rows, int cores, Expected expected)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(Files.readString(Path.of("java17-opens")).strip().split("\\s+", -1)));
    cmd.add("-Xmx1g");
    cmd.add("-Dspark.ui.enabled=false");
    List<String> cp = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      String name = Path.of(e).getFileName() == null ? "" : Path.of(e).getFileName().toString();
      boolean idemIceberg = e.contains("idem-iceberg");
      boolean iceberg = name.startsWith("iceberg-") && !name.startsWith("iceberg-spark-runtime");
      if (!e.isEmpty() && !idemIceberg && !iceberg) {
        cp.add(e);
      }
    }
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, cp));
    cmd.add(HandWrittenMerge.class.getName());
    cmd.addAll(
        List.of(
            data.toString(),
            String.valueOf(days),
            work.resolve("hand-" + cores).toString(),
            String.valueOf(cores)));
    Path log = work.resolve("hand-" + cores + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int exit = p.waitFor();
    List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(exit).as(String.join("\n", out)).isZero();
    String[] last =
        out.stream().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().split(" ", -1);
    double wall = Double.parseDouble(last[1]);
    double cpu = Double.parseDouble(last[2]);
    expected.check(
        new TableSums.Sums(
            Long.parseLong(last[3]), Long.parseLong(last[4]), new BigDecimal(last[5])));
    Result r =
        new Result(
            "s2",
            "hand-written Spark job, MERGE INTO per day, local[" + cores + "] (child JVM)",
            rows,
            wall,
            cpu,
            Double.NaN); // a child JVM's heap is not measured here
    results.add(r);
    line(
        String.format(
            Locale.ROOT,
            "%s %s: %.2f s, CPU %.2f s, %,.0f rows/s, load average %.2f",
            r.id(),
            r.what(),
            wall,
            cpu,
            r.rate(),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
  }

  private static TableSums.Sums idemTable(Path pipeline) throws IOException {
    return TableSums.of(pipeline.resolveSibling("warehouse"), "orders", "order_id", "amount");
  }

  private record Expected(long rows, long ids, BigDecimal amount) {
    void check(TableSums.Sums table) {
      assertThat(table.count()).as("rows").isEqualTo(rows);
      assertThat(table.longSum()).as("sum(order_id)").isEqualTo(ids);
      assertThat(table.decimalSum()).as("sum(amount)").isEqualByComparingTo(amount);
    }
  }

  /** A table of {@code orders} orders, ids 1 to {@code orders}. */
  private static Expected expected(long orders, BigDecimal amountSum) {
    return new Expected(orders, orders * (orders + 1) / 2, amountSum);
  }
}
