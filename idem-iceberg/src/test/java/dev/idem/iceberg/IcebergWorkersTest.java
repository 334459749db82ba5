package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.destination.Completion;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.Lease;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window's new rows written by workers (an engine's executors): split into one data file per task
 * once the window has {@link TableFiles#ROWS_PER_TASK} rows for two tasks, each task and its file
 * crossing Java serialization; the table holds what one file written here holds.
 */
class IcebergWorkersTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final int ROWS = 25; // two tasks of 10 rows at the least, not three

  @TempDir Path dir;
  private String perTask;

  @BeforeEach
  void tasksOfTenRows() {
    perTask = System.setProperty(TableFiles.ROWS_PER_TASK, "10");
  }

  @AfterEach
  void defaultTasks() {
    if (perTask == null) {
      System.clearProperty(TableFiles.ROWS_PER_TASK);
    } else {
      System.setProperty(TableFiles.ROWS_PER_TASK, perTask);
    }
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

  @Test
  void aTaskThatFailsFailsTheWindowAndTheFilesOfTheOthersAreRemoved() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    // the first task writes its file, the second fails
    try (IcebergDestination d = open("failing", failing(true))) {
      assertThatThrownBy(() -> load(d, p))
          .hasMessageContaining("executor lost: idem window 2024-03-01");
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
    try (IcebergDestination d = open("rewrites", failing(false))) {
      d.prepare(p);
      Lease lease = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      try (WindowWrite w =
          d.begin(
              p,
              lease,
              new RunContext(p.name(), "1", p.windows().window("2024-03-01"), null, "r"))) {
        LocalDateTime at = LocalDateTime.parse("2024-03-01T12:00:00");
        for (long i = ROWS / 2; i < ROWS + ROWS / 2; i++) { // half the keys updated, half new
          w.add(new Object[] {i, 3L, at.plusSeconds(i)});
        }
        // the update rewrites the table's file on the driver before the new rows' job fails
        assertThatThrownBy(() -> w.prepare(new Completion("fp", p.definitionHash(), ROWS, 0, 0)))
            .hasMessageContaining("executor lost");
      }
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
    }
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

  /** Two workers whose job fails, after the first task ran when {@code firstRuns}. */
  private static Workers failing(boolean firstRuns) {
    return new Workers() {
      @Override
      public int parallelism() {
        return 2;
      }

      @Override
      public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
        if (firstRuns) {
          try {
            task.apply(inputs.get(0));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        throw new IllegalStateException("executor lost: " + description);
      }
    };
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

  /** The data files the table's last commit added. */
  private static int addedFiles(IcebergDestination d, Pipeline p) {
    Table t = d.store(p.name()).orElseThrow().table();
    t.refresh();
    Snapshot s = t.currentSnapshot();
    return Integer.parseInt(s.summary().get("added-data-files"));
  }
}
