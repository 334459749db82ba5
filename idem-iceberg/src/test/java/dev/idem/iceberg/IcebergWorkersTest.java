package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.destination.Completion;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A window's new rows written by workers (an engine's executors): split into one data file per task
 * once the window has {@link TableFiles#ROWS_PER_TASK} rows for two tasks, each task and its file
 * crossing Java serialization; the table holds what one file written here holds.
 */
class IcebergWorkersTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final int ROWS = 25; // two tasks of 10 rows at the least, not three

  /** What the description of a call writing a window's new rows holds. */
  private static final String WRITING = " rows written in ";

  /** Every task of a failing call runs ({@link #failing(String, int, int)}). */
  private static final int ALL = Integer.MAX_VALUE;

  /** What the description of a call planning a spilled window's slices holds. */
  private static final String PLANNING = " rows planned in ";

  /** What the description of a call rewriting the table's data files holds. */
  private static final String REWRITING = " data files rewritten";

  @TempDir Path dir;
  private String perTask;

  @BeforeEach
  void tasksOfTenRows() {
    perTask = RowsPerTask.set(10);
  }

  @AfterEach
  void defaultTasks() {
    RowsPerTask.restore(perTask);
  }

  @Test
  void aWindowsNewRowsAreWrittenByTheWorkersOneFilePerTaskAndTheTableHoldsTheSameRows()
      throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    List<String> here;
    try (IcebergDestination d = open("here", Workers.IN_PROCESS)) {
      load(d, p);
      here = d.tableRows("fenced");
      assertThat(addedFiles(d, p)).isEqualTo(1);
    }
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open("workers", workers)) {
      load(d, p);
      assertThat(workers.tasks()).isEqualTo(2);
      assertThat(addedFiles(d, p)).isEqualTo(2);
      assertThat(d.tableRows("fenced")).hasSize(ROWS).isEqualTo(here);
      assertThat(d.ledger().state("fence", "2024-03-01").orElseThrow().counts().inserted())
          .isEqualTo(ROWS);
    }
  }

  /**
   * A task writing a window's new rows is sent them as a shared value (on Spark a broadcast
   * variable), not inside the task, which Spark refuses above {@code spark.rpc.message.maxSize}: a
   * window of 30,000 rows, a third of them a task, sends tasks no larger than one of 25 rows does.
   */
  @Test
  void theRowsATaskWritesAreSharedWithItNotSentInsideIt() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    long small;
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open("small", workers)) {
      load(d, p);
      small = workers.largestTask();
    }
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open("large", workers)) {
      update(d, p, 0, 30_000);
      assertThat(workers.jobs()).contains("idem window 2024-03-01: 30000 rows written in 3 files");
      assertThat(d.tableRows("fenced")).hasSize(30_000);
      assertThat(workers.largestTask()).isLessThan(small + 1_000);
      assertThat(workers.sharedOpen()).isZero();
    }
  }

  @Test
  void aTaskThatFailsFailsTheWindowAndTheFilesOfTheOthersAreRemoved() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    // the first task writes its file, the second fails
    Failing workers = failing(WRITING, 0);
    try (IcebergDestination d = open("failing", workers)) {
      assertThatThrownBy(() -> load(d, p))
          .hasMessageContaining("executor lost: idem window 2024-03-01");
      assertThat(workers.shared()).isEqualTo(2); // each task's rows, closed after the failure
      assertThat(workers.sharedOpen()).isZero();
      assertThat(d.tableRows("fenced")).isEmpty();
      assertThat(parquetFiles("failing")).isEmpty();
      assertThat(d.ledger().state("fence", "2024-03-01").orElseThrow().status().name())
          .isEqualTo("RUNNING");
    }
  }

  @Test
  void aFailedWriteJobRemovesTheFilesThePlanRewroteToo() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open("rewrites", Workers.IN_PROCESS)) {
      load(d, p);
    }
    List<Path> before = parquetFiles("rewrites");
    try (IcebergDestination d = open("rewrites", failing(WRITING, -1))) {
      // half the keys updated, half new: the update rewrites the table's file (a task) before the
      // new rows' job fails
      assertThatThrownBy(() -> update(d, p, ROWS / 2, ROWS + ROWS / 2))
          .hasMessageContaining("executor lost: idem window 2024-03-01: " + ROWS + " rows written");
    }
    assertThat(parquetFiles("rewrites")).isEqualTo(before);
  }

  @Test
  void aTaskRunTwiceLeavesOnlyTheFileOfTheAttemptWhoseResultWasTaken() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open("twice", twice())) {
      load(d, p);
      assertThat(addedFiles(d, p)).isEqualTo(2);
      assertThat(parquetFiles("twice")).hasSize(2); // not the first attempts' two files
      assertThat(d.tableRows("fenced")).hasSize(ROWS);
      // the first file rewritten by a task (the second holds only updated keys: none), the new
      // rows written by two
      update(d, p, 5, 30);
      // not the first attempts' files of the rewrite and the two tasks of new rows
      assertThat(parquetNames("twice")).isEqualTo(committedFiles(d, p)).hasSize(5);
      assertThat(d.tableRows("fenced")).hasSize(30);
    }
  }

  @Test
  void theTablesFilesAKeyIsLookedUpInAndThoseAnUpdateRewritesAreReadAndWrittenByTheWorkers()
      throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    List<String> here;
    try (IcebergDestination d = open("here", Workers.IN_PROCESS)) {
      load(d, p);
      update(d, p, 5, 30); // keys 5 to 24 of both files updated, 25 to 29 new
      here = d.tableRows("fenced");
    }
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open("workers", workers)) {
      load(d, p); // in two files
      update(d, p, 5, 30);
      assertThat(workers.jobs())
          .containsSubsequence(
              "idem window 2024-03-01: 25 keys looked up in 2 data files",
              // the second file holds only updated keys: not read again
              "idem window 2024-03-01: 1 data files rewritten");
      assertThat(d.tableRows("fenced")).hasSize(30).isEqualTo(here);
      WindowCounts counts = d.ledger().state("fence", "2024-03-01").orElseThrow().counts();
      assertThat(counts.updated()).isEqualTo(20);
      assertThat(counts.inserted()).isEqualTo(5);
      // the files the commits added, no other: two of the load, one rewrite (the second file
      // holds only updated keys), two of new rows
      assertThat(parquetNames("workers")).isEqualTo(committedFiles(d, p)).hasSize(5);
    }
  }

  @Test
  void aLookupKeepsOnlyTheRowsOfTheKeysWithTheirPlacesAndCountsTheOthersByWindow()
      throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open("lookup", Workers.IN_PROCESS)) {
      load(d, p); // one file: keys 0 to 24 in order
      TableFiles files = new TableFiles(table(d, p));
      TableSchema schema = TableSchema.of(p);
      List<TableFiles.Lookup> found =
          files.lookup(
              files.files(Expressions.alwaysTrue()),
              schema.names(),
              new int[] {schema.stored().indexOf("id")},
              Set.of(
                  Versions.keyText(List.of(20L)),
                  Versions.keyText(List.of(3L)),
                  Versions.keyText(List.of(99L))),
              false,
              "2024-03-01");
      assertThat(found).hasSize(1);
      List<TableFiles.Match> matches = found.get(0).matches();
      assertThat(matches).extracting(TableFiles.Match::position).containsExactly(3, 20);
      assertThat(matches).extracting(m -> m.values()[0]).containsExactly(3L, 20L);
      assertThat(matches).extracting(m -> m.values()[1]).containsExactly(2L, 2L);
      assertThat(matches).extracting(TableFiles.Match::window).containsOnly("2024-03-01");
      assertThat(found.get(0).others()).isEqualTo(Map.of("2024-03-01", ROWS - 2L));
    }
  }

  @Test
  void underTheObjectStorageLayoutTasksRunTwiceLeaveOnlyTheFilesTheCommitsName() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open("spread", twice())) {
      load(d, p);
      table(d, p).updateProperties().set(TableProperties.OBJECT_STORE_ENABLED, "true").commit();
      // the rewrite of the first file and the new rows' two files, each in a folder of its own
      update(d, p, 5, 30);
      assertThat(parquetNames("spread")).isEqualTo(committedFiles(d, p)).hasSize(5);
      // the load's two files in the partition's folder, each of the update's in a folder of its own
      assertThat(parquetFiles("spread").stream().map(Path::getParent).distinct()).hasSize(4);
    }
  }

  /**
   * Keys 5 to 19 of both files updated: one rewriting task writes its file, then the job fails. In
   * the table's default layout the first task's file is written; under the object-storage layout
   * the second's, in a folder of its own, and the first's folder, never written to, does not exist.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aFailedRewriteJobRemovesTheFilesItsTasksWrote(boolean objectStorage) throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    String name = objectStorage ? "spread-failed" : "rewrites";
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open(name, workers)) {
      load(d, p); // in two files
      if (objectStorage) {
        table(d, p).updateProperties().set(TableProperties.OBJECT_STORE_ENABLED, "true").commit();
      }
    }
    List<Path> before = parquetFiles(name);
    try (IcebergDestination d = open(name, failing(REWRITING, objectStorage ? 1 : 0))) {
      assertThatThrownBy(() -> update(d, p, 5, 20))
          .hasMessageContaining("executor lost: idem window 2024-03-01: 2 data files rewritten");
    }
    assertThat(parquetFiles(name)).isEqualTo(before);
  }

  @Test
  void aSpilledWindowsSliceTasksThatFailLeaveNoFileOfAnySlice() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    // 50 rows past 10 held: five slices of 10 rows, a call each; the second call's task writes
    // its file, then the call fails
    try (Spill spill = Spill.set(10, 64);
        IcebergDestination d = open("slices", failing(PLANNING, ALL, 2))) {
      assertThatThrownBy(() -> load(d, p))
          .hasMessageContaining("executor lost: idem window 2024-03-01: 10 rows planned in 1");
      assertThat(d.tableRows("fenced")).isEmpty();
      assertThat(parquetFiles("slices")).isEmpty();
    }
    try (Spill spill = Spill.set(10, 64);
        IcebergDestination d = open("slices", Workers.IN_PROCESS)) {
      load(d, p); // the retry
      assertThat(d.tableRows("fenced")).hasSize(ROWS);
    }
  }

  @Test
  void aSpilledWindowsSliceTasksRunTwiceLeaveOnlyTheFilesOfTheAttemptsTaken() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (Spill spill = Spill.set(10, 64);
        IcebergDestination d = open("twice-sliced", twice())) {
      load(d, p);
      update(d, p, 5, 30); // the slices' files rewritten (after the last slice), new rows too
      assertThat(parquetNames("twice-sliced")).isEqualTo(committedFiles(d, p));
      assertThat(d.tableRows("fenced")).hasSize(30);
    }
  }

  @Test
  void whenTheWorkersSayEachTaskRanOnceTheirFoldersAreNotListed() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open("told", twiceSayingOnce())) {
      load(d, p);
      // the first attempts' two files stay: the table's folder was not listed for them
      assertThat(parquetNames("told")).containsAll(committedFiles(d, p)).hasSize(4);
      assertThat(d.tableRows("fenced")).hasSize(ROWS);
    }
  }

  /** {@link #twice()}, but saying that each task ran once. */
  private static Workers twiceSayingOnce() {
    Workers twice = twice();
    return new Workers() {
      @Override
      public int parallelism() {
        return twice.parallelism();
      }

      @Override
      public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
        return twice.run(description, inputs, task);
      }

      @Override
      public <I, O> Outputs<O> runAndTell(String description, List<I> inputs, Task<I, O> task) {
        return new Outputs<>(run(description, inputs, task), false);
      }
    };
  }

  /**
   * Two workers that run each task twice and take the second attempt's output, as Spark does when
   * it lost an attempt after its work (its executor), or ran a speculative copy.
   */
  private static Workers twice() {
    return new Workers() {
      @Override
      public int parallelism() {
        return 2;
      }

      @Override
      public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
        List<O> out = new ArrayList<>();
        try {
          for (I input : inputs) {
            task.apply(input);
            out.add(task.apply(input));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return out;
      }
    };
  }

  /**
   * Two workers that run each call's tasks here, but fail a call whose description contains {@code
   * job}, after only its task {@code ran} ran (none: -1).
   */
  private static Failing failing(String job, int ran) {
    return failing(job, ran, 0);
  }

  /**
   * Two workers that run each call's tasks here, but fail the {@code call}-th call (from 1; 0:
   * every one) whose description contains {@code job}, after only its task {@code ran} ran (none:
   * -1; every one: {@link #ALL}).
   */
  private static Failing failing(String job, int ran, int call) {
    return new Failing(job, ran, call);
  }

  /** {@link #failing(String, int, int)}'s workers, which count the shared values not closed. */
  private static final class Failing implements Workers {
    private final String job;
    private final int ran;
    private final int call;
    private int calls;
    private final AtomicInteger shared = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    Failing(String job, int ran, int call) {
      this.job = job;
      this.ran = ran;
      this.call = call;
    }

    @Override
    public int parallelism() {
      return 2;
    }

    @Override
    public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
      boolean fails = description.contains(job) && (++calls == call || call == 0);
      List<O> out = new ArrayList<>();
      try {
        for (int i = 0; i < inputs.size(); i++) {
          if (!fails || ran == ALL || i == ran) {
            out.add(task.apply(inputs.get(i)));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      if (fails) {
        throw new IllegalStateException("executor lost: " + description);
      }
      return out;
    }

    @Override
    public <T extends Serializable> Shared<T> share(T value) {
      shared.incrementAndGet();
      open.incrementAndGet();
      AtomicInteger left = open;
      return new Shared<>() {
        private static final long serialVersionUID = 1L;
        private boolean closed;

        @Override
        public T get() {
          return value;
        }

        @Override
        public void close() {
          if (!closed) {
            closed = true;
            left.decrementAndGet();
          }
        }
      };
    }

    /** How many values were shared, and how many of them are not closed. */
    int shared() {
      return shared.get();
    }

    int sharedOpen() {
      return open.get();
    }
  }

  private List<Path> parquetFiles(String warehouse) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve(warehouse))) {
      return files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  private IcebergDestination open(String name, Workers workers) {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve(name), "idem"),
        RunServices.defaults().withOwner("a").withLeaseTtl(TTL).withWorkers(workers));
  }

  /** Loads window 2024-03-01: ROWS keys, each twice (the later version wins the fold). */
  private static void load(IcebergDestination d, Pipeline p) {
    d.prepare(p);
    Lease lease = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
    try (WindowWrite w =
        d.begin(
            p, lease, new RunContext(p.name(), "1", p.windows().window("2024-03-01"), null, "r"))) {
      LocalDateTime at = LocalDateTime.parse("2024-03-01T12:00:00");
      for (long version = 1; version <= 2; version++) {
        for (long i = 0; i < ROWS; i++) {
          w.add(new Object[] {i, version, at.plusSeconds(i)});
        }
      }
      w.prepare(new Completion("fp", p.definitionHash(), 2L * ROWS, 0, 0));
      w.commit();
    }
  }

  /**
   * Loads keys {@code from} to {@code to - 1} into window 2024-03-01 again, version 3 (newer than
   * {@link #load}'s): the keys the table holds are updated.
   */
  private static void update(IcebergDestination d, Pipeline p, long from, long to) {
    d.prepare(p);
    Lease lease = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
    try (WindowWrite w =
        d.begin(
            p, lease, new RunContext(p.name(), "1", p.windows().window("2024-03-01"), null, "r"))) {
      LocalDateTime at = LocalDateTime.parse("2024-03-01T12:00:00");
      for (long i = from; i < to; i++) {
        w.add(new Object[] {i, 3L, at.plusSeconds(i)});
      }
      w.prepare(new Completion("fp2", p.definitionHash(), to - from, 0, 0));
      w.commit();
    }
  }

  private static Table table(IcebergDestination d, Pipeline p) {
    Table t = d.store(p.name()).orElseThrow().table();
    t.refresh();
    return t;
  }

  /** The names of the data files the table's commits added, the replaced ones too. */
  private static List<String> committedFiles(IcebergDestination d, Pipeline p) {
    Table t = table(d, p);
    List<String> names = new ArrayList<>();
    for (Snapshot s : t.snapshots()) {
      for (DataFile f : s.addedDataFiles(t.io())) {
        names.add(Path.of(f.location()).getFileName().toString());
      }
    }
    return names.stream().sorted().toList();
  }

  private List<String> parquetNames(String warehouse) throws IOException {
    return parquetFiles(warehouse).stream().map(f -> f.getFileName().toString()).sorted().toList();
  }

  /** The data files the table's last commit added. */
  private static int addedFiles(IcebergDestination d, Pipeline p) {
    Snapshot s = table(d, p).currentSnapshot();
    return Integer.parseInt(s.summary().get("added-data-files"));
  }
}
