package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.cli.pipelinefile.PipelineFile;
import dev.idem.connector.Secrets;
import dev.idem.context.Workers;
import dev.idem.schema.ValueCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A destination's work as Spark tasks: one task per input, outputs in the inputs' order, a failing
 * task failing the call with a one-line transient error (the runner retries the window); and which
 * workers the engine gives the destination.
 */
@Tag("spark")
class SparkWorkersTest {
  @TempDir Path dir;

  @Test
  void eachInputIsATaskAndTheOutputsComeBackInOrder() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers workers = new SparkWorkers(jsc);
    assertThat(workers.parallelism()).isEqualTo(2);
    long tasks = SharedSpark.tasksEnded();
    List<String> out = workers.run("doubling", List.of(1, 2, 3, 4, 5), i -> "x" + (i * 2));
    assertThat(out).containsExactly("x2", "x4", "x6", "x8", "x10");
    await().untilAsserted(() -> assertThat(SharedSpark.tasksEnded() - tasks).isEqualTo(5));
    assertThat(workers.run("nothing", List.<Integer>of(), i -> i)).isEmpty();
  }

  /**
   * Each task ran once (a first attempt's output, no speculation): the call says so, and a caller
   * need not look for files of other attempts (a task run again is {@code SparkDriverKillTest}'s).
   */
  @Test
  void aCallWhoseTasksEachRanOnceSaysSo() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers.Outputs<String> ran =
        new SparkWorkers(jsc).runAndTell("once", List.of(1, 2, 3), i -> "x" + i);
    assertThat(ran.outputs()).containsExactly("x1", "x2", "x3");
    assertThat(ran.repeated()).isFalse();
  }

  /**
   * A shared value is read by every task from a Spark broadcast variable: the handle a task carries
   * holds none of it (a kilobyte or so of Java serialization for a value of megabytes).
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSharedValueReachesEveryTaskWithoutTravellingInIt(boolean asBytes) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    SparkWorkers workers = new SparkWorkers(jsc);
    long[] value = new long[500_000];
    for (int i = 0; i < value.length; i++) {
      value[i] = i * 3L;
    }
    // as bytes: as under another spark.serializer than Java's (Kryo)
    try (Workers.Shared<long[]> shared =
        asBytes ? workers.shareAsBytes(value) : workers.share(value)) {
      assertThat(JavaBytes.of(value).length).isGreaterThan(4_000_000);
      assertThat(JavaBytes.of(shared).length).isLessThan(4_000);
      List<Long> out =
          workers.run("reading a shared value", List.of(1, 7, 499_999), i -> shared.get()[i]);
      assertThat(out).containsExactly(3L, 21L, 1_499_997L);
      shared.close();
      // destroyed: no task reads it any more
      assertThatThrownBy(shared::get).hasMessageContaining("after it was destroyed");
      // a broadcast Spark cannot destroy (destroyed already; its context stopped) is logged, not
      // thrown over the failure the caller closes it after
      assertThatCode(shared::close).doesNotThrowAnyException();
    }
  }

  @Test
  void aFailingTaskFailsTheCall() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers workers = new SparkWorkers(jsc);
    assertThatThrownBy(
            () ->
                workers.run(
                    "failing",
                    List.of(1, 2),
                    i -> {
                      if (i == 2) {
                        throw new IllegalStateException("task of input 2 failed");
                      }
                      return i;
                    }))
        .isInstanceOf(TransientException.class)
        .hasMessageStartingWith("Spark job 'failing' failed: ")
        .hasMessageContaining("task of input 2 failed")
        .hasMessageNotContaining("\n");
  }

  /**
   * A task failing with idem's own failure that is not transient (a pipeline file changed since the
   * run started) fails the call with it, not retried as a transient failure of the job.
   */
  @Test
  void aTasksConfigFailureIsTheCallsAsItIs() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers workers = new SparkWorkers(jsc);
    assertThatThrownBy(
            () ->
                workers.run(
                    "changed",
                    List.of(1, 2),
                    i -> {
                      if (i == 2) {
                        throw new ConfigException("pipeline file p.yaml changed since the run");
                      }
                      return i;
                    }))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("pipeline file p.yaml changed since the run");
  }

  /** Tasks of {@link #aFailedCallReturnsOnlyOnceNoneOfItsTasksRuns} running now. */
  private static final AtomicInteger RUNNING = new AtomicInteger();

  /**
   * Spark fails a job when one task fails and kills the others behind it: the call throws only once
   * they stopped, so that what the caller cleans up after it (a window's files) is not written
   * after. The slow task here ignores the interrupt, as a task writing a file can.
   */
  @Test
  void aFailedCallReturnsOnlyOnceNoneOfItsTasksRuns() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers workers = new SparkWorkers(jsc);
    assertThatThrownBy(
            () ->
                workers.run(
                    "slow and failing",
                    List.of(1, 2),
                    i -> {
                      RUNNING.incrementAndGet();
                      try {
                        if (i == 2) {
                          Thread.sleep(200); // gives the slow task time to start
                          throw new IllegalStateException("task of input 2 failed");
                        }
                        long end = System.nanoTime() + 3_000_000_000L;
                        while (System.nanoTime() < end) {
                          try {
                            Thread.sleep(20);
                          } catch (InterruptedException ignored) {
                            // goes on, as a write that does not heed the interrupt
                          }
                        }
                        return i;
                      } finally {
                        RUNNING.decrementAndGet();
                      }
                    }))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("task of input 2 failed");
    assertThat(RUNNING.get()).as("tasks still running when the call threw").isZero();
  }

  /**
   * A task Spark cannot send fails the call before any job starts, at once (nothing to wait for);
   * the thread's own job group and description are there again after a call, failed or not.
   */
  @Test
  void aTaskThatCannotBeSentFailsAtOnceAndTheThreadsJobGroupIsKept() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Workers workers = new SparkWorkers(jsc);
    jsc.setJobGroup("callers-group", "the caller's jobs", false);
    try {
      Object notSerializable = new Object();
      long started = System.nanoTime();
      assertThatThrownBy(
              () ->
                  workers.run("not serializable", List.of(1), i -> i + notSerializable.hashCode()))
          .isInstanceOf(TransientException.class)
          .hasMessageContaining("not serializable");
      // not the wait for a failed job's tasks, of which there are none
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(SparkWorkers.STOP_WAIT.dividedBy(2));
      assertThat(jsc.getLocalProperty("spark.jobGroup.id")).isEqualTo("callers-group");
      assertThat(workers.run("doubling", List.of(1), i -> i * 2)).containsExactly(2);
      assertThat(jsc.getLocalProperty("spark.jobGroup.id")).isEqualTo("callers-group");
      assertThat(jsc.getLocalProperty("spark.job.description")).isEqualTo("the caller's jobs");
    } finally {
      jsc.clearJobGroup();
    }
  }

  @Test
  void onALocalMasterTheDriverWritesUnlessTheExecutorsAreAskedTo() throws IOException {
    SharedSpark.session();
    String before = System.getProperty(SparkEngine.EXECUTOR_WRITES);
    try (PipelineDefinition d = definition()) {
      System.setProperty(SparkEngine.EXECUTOR_WRITES, "false");
      try (var run = new SparkEngine().start(d, List.of(), null)) {
        assertThat(run.workers()).isSameAs(Workers.IN_PROCESS);
      }
      System.setProperty(SparkEngine.EXECUTOR_WRITES, "true");
      try (var run = new SparkEngine().start(d, List.of(), null)) {
        assertThat(run.workers()).isInstanceOf(SparkWorkers.class);
      }
    } finally {
      if (before == null) {
        System.clearProperty(SparkEngine.EXECUTOR_WRITES);
      } else {
        System.setProperty(SparkEngine.EXECUTOR_WRITES, before);
      }
    }
  }

  private PipelineDefinition definition() throws IOException {
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        "pipeline: w\n"
            + "source:\n  type: csv\n  path: data/*.csv\n  header: true\n"
            + "columns:\n  id: integer not null\n  at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: at\n  zone: UTC\n"
            + "target:\n  table: t\n  key: [id]\n  strategy: merge\n"
            + "destination:\n  type: iceberg\n  warehouse: warehouse/\n");
    return PipelineFile.load(p, List.of(), System::getenv, new Secrets());
  }

  /**
   * Rows kept where the tasks that made them ran: the driver gets only what each task tells it
   * (here, the rows' count and sample), the rows stay persisted by Spark; a job then brings each
   * slice's rows together by a shuffle, each slice's task given its input and its rows sorted by
   * place (its part's number, then its record's), whichever part holds them.
   */
  @Test
  void keptRowsArePlannedWhereAShuffleBringsEachSlicesRowsTogetherInPlaceOrder() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    SparkWorkers workers = new SparkWorkers(jsc);
    // three parts: part p's record r holds key (r * 7 + p) % 10 (records 0 to 5)
    SparkWorkers.Keeping<KeptRows.Told> kept =
        workers.runKeeping("keeping", List.of(0, 1, 2), SparkWorkersTest::keptRows, KeptRows::told);
    try (SparkScattered rows = new SparkScattered(kept.kept(), kept.toDriver())) {
      assertThat(rows.rows()).isEqualTo(18);
      // parts 0 and 1 sampled whole (a row each), part 2 every other row (two rows each)
      assertThat(rows.sample())
          .extracting(Workers.Sampled::weight)
          .containsExactly(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L);
      // keys 0 to 4 in slice 0, 5 to 9 in slice 1
      Workers.Outputs<List<String>> out =
          workers.runOnSlices(
              "by slice",
              rows,
              new ByKey(),
              List.of("low", "high"),
              (name, slice) -> {
                List<String> seen = new ArrayList<>();
                slice.forEach(
                    (at, row) ->
                        seen.add(
                            name
                                + " key "
                                + row[0]
                                + " part "
                                + (at >> 28)
                                + " record "
                                + (at & ((1 << 28) - 1))));
                return seen;
              });
      List<List<String>> expected = List.of(new ArrayList<>(), new ArrayList<>());
      for (int part = 0; part < 3; part++) {
        for (int r = 0; r < 6; r++) {
          long key = (r * 7L + part) % 10;
          int half = key < 5 ? 0 : 1;
          expected
              .get(half)
              .add((half == 0 ? "low" : "high") + " key " + key + " part " + part + " record " + r);
        }
      }
      assertThat(out.outputs()).isEqualTo(expected);
      assertThat(expected.get(0)).hasSizeBetween(6, 12); // both slices have rows of every part
    }
  }

  /**
   * A kept part Spark has to make again (its persisted rows lost, as with an executor) whose task
   * now reads other rows (its input changed since the window read it) fails the slices' job,
   * transiently: the window is read again, never planned with rows other than those it counted.
   */
  @Test
  void aKeptPartMadeAgainFromChangedInputFailsTheSlicesJobTransiently() throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    SparkWorkers workers = new SparkWorkers(jsc);
    Path input = Files.writeString(dir.resolve("input"), "1");
    String at = input.toString();
    SparkWorkers.Keeping<KeptRows.Told> kept =
        workers.runKeeping("keeping", List.of(at), SparkWorkersTest::keptFromFile, KeptRows::told);
    try (SparkScattered rows = new SparkScattered(kept.kept(), kept.toDriver())) {
      Workers.SliceTask<String, Long> count =
          (name, slice) -> {
            long[] n = {0};
            slice.forEach((place, row) -> n[0] += (Long) row[0]);
            return n[0];
          };
      assertThat(workers.runOnSlices("same", rows, new ByKey(), List.of("a", "b"), count).outputs())
          .containsExactly(1L, 0L);
      kept.kept().unpersist(true); // lost: Spark makes the part again from its task
      Files.writeString(input, "2");
      assertThatThrownBy(
              () -> workers.runOnSlices("changed", rows, new ByKey(), List.of("a", "b"), count))
          .isInstanceOf(TransientException.class)
          .hasMessageContaining("changed since the window read it");
    }
  }

  /** Keys below 5 in slice 0, the others in slice 1. */
  private static final class ByKey implements Workers.Slicing {
    private static final long serialVersionUID = 1L;

    @Override
    public int slices() {
      return 2;
    }

    @Override
    public int slice(Object[] row) {
      return (Long) row[0] < 5 ? 0 : 1;
    }
  }

  /**
   * Part {@code part}'s six rows, record {@code r} of key {@code (r * 7 + part) % 10}, sampled
   * whole but part 2, every other row.
   */
  private static KeptRows keptRows(int part) {
    List<Object[]> rows = new ArrayList<>();
    for (int r = 0; r < 6; r++) {
      rows.add(new Object[] {(r * 7L + part) % 10, "v" + r});
    }
    KeptRows k = kept(rows);
    if (part != 2) {
      return k;
    }
    ArrayList<Object[]> everyOther = new ArrayList<>();
    for (int r = 0; r < 6; r += 2) {
      everyOther.add(rows.get(r));
    }
    return new KeptRows(k.records(), k.rows(), k.count(), everyOther);
  }

  /** One row, of the number the file at {@code path} holds. */
  private static KeptRows keptFromFile(String path) throws IOException {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {Long.parseLong(Files.readString(Path.of(path)).trim())});
    return kept(rows);
  }

  private static KeptRows kept(List<Object[]> rows) {
    ValueCodec.Writer out = new ValueCodec.Writer();
    for (int r = 0; r < rows.size(); r++) {
      out.integer(r);
      out.row(rows.get(r));
    }
    return new KeptRows(
        new FileRecords("f", new byte[0], 0, 0, false, null, null),
        out.bytes(),
        rows.size(),
        new ArrayList<>(rows));
  }
}
