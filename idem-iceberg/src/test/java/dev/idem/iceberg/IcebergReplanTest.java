package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.destination.Completion;
import dev.idem.destination.WindowWrite;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A window whose commit finds another window's commit landed since it was planned is planned again
 * on the new snapshot; when its new rows come out the same, the data file it wrote is committed,
 * not written a second time (two windows at a time, {@code --parallel}, would otherwise write every
 * other window twice).
 */
class IcebergReplanTest {
  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T00:00:00Z"));

  @Test
  void aWindowPlannedAgainAfterAnotherWindowsCommitCommitsTheFileItWrote() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open()) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      // both planned on the same snapshot, with keys of their own
      WindowWrite wa = prepared(d, p, la, 0, 5);
      WindowWrite wb = prepared(d, p, lb, 100, 6);
      Set<Path> written = dataFiles();
      assertThat(written).hasSize(2);

      wa.commit();
      wb.commit(); // the ledger moved: planned again, on a snapshot with wa's rows
      wa.close();
      wb.close();

      assertThat(dataFiles()).isEqualTo(written);
      assertThat(d.tableRows("fenced")).hasSize(11);
      assertThat(d.ledger().states("fence"))
          .hasSize(2)
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(WindowStatus.DONE))
          .extracting(s -> s.counts().inserted())
          .containsExactlyInAnyOrder(5L, 6L);
    }
  }

  @Test
  void aWindowWhoseNewRowsDifferOnTheNewSnapshotWritesThemAgain() throws Exception {
    Pipeline p = append();
    try (IcebergDestination d = open()) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      WindowWrite wa = prepared(d, p, la, 0, 5);
      WindowWrite wb = prepared(d, p, lb, 3, 4); // keys 3 and 4 are wa's too
      Set<Path> planned = dataFiles();

      wa.commit();
      wb.commit(); // planned again: append skips 3 and 4 now, so its new rows are 5 and 6
      wa.close();
      wb.close();

      Set<Path> after = dataFiles();
      assertThat(after).hasSize(2).isNotEqualTo(planned); // wb's file written again
      assertThat(after).hasSize(tableFiles(d, p)); // the first plan's file is deleted
      assertThat(d.tableRows("fenced")).hasSize(7);
      assertThat(d.ledger().state("fence", "2024-03-02").orElseThrow().counts())
          .satisfies(
              c -> {
                assertThat(c.inserted()).isEqualTo(2);
                assertThat(c.skipped()).isEqualTo(2);
              });
    }
  }

  /**
   * Spilled and planned on the planning thread, or by workers whose tasks cross Java serialization
   * (the files a task takes again come back as copies of the earlier plan's: kept by location, not
   * deleted); or held in memory, cut into three slices of two rows at the least by three workers.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"spilled, in process", "spilled, by workers", "held, by workers"})
  void aWindowInSlicesPlannedAgainCommitsTheFilesItsSlicesWrote(String slicing) throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    boolean held = slicing.startsWith("held");
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open(slicing.endsWith("workers") ? workers : Workers.IN_PROCESS);
        Spill spill = held ? Spill.sliceRows(2) : Spill.set(2, 3)) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      WindowWrite wa = prepared(d, p, la, 0, 5);
      Set<Path> aFiles = dataFiles();
      long spills = StagedRows.SPILLS.get();
      WindowWrite wb = prepared(d, p, lb, 100, 6); // three slices of two keys, a file each
      Set<Path> written = dataFiles();
      assertThat(written).hasSize(aFiles.size() + 3);
      assertThat(StagedRows.SPILLS.get() > spills).isEqualTo(!held);

      wa.commit();
      wb.commit(); // planned again: each slice's new rows come out the same
      wa.close();
      wb.close();

      assertThat(dataFiles()).isEqualTo(written);
      assertThat(tableFiles(d, p)).isEqualTo(written.size());
      assertThat(d.tableRows("fenced")).hasSize(11);
    }
  }

  @Test
  void aSpilledWindowPlannedAgainWritesAgainOnlyTheSlicesThatChanged() throws Exception {
    Pipeline p = append();
    try (IcebergDestination d = open();
        Spill spill = Spill.set(2, 3)) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      WindowWrite wa = prepared(d, p, la, 0, 4); // keys 0 to 3
      Set<Path> before = dataFiles();
      // slices {2, 3}, {4, 5}, {6, 7}: a file each; wa holds 2 and 3 too
      WindowWrite wb = prepared(d, p, lb, 2, 6);
      Set<Path> planned = dataFiles();
      assertThat(planned).hasSize(before.size() + 3);

      wa.commit();
      wb.commit(); // planned again: append skips 2 and 3, so the first slice writes nothing
      wa.close();
      wb.close();

      onlyTheChangedSlicesWrittenAgain(d, p, before, planned);
    }
  }

  /**
   * The same with the window's rows kept where an engine's reading tasks ran ({@link
   * Workers.Scattered}), planned by three workers in slices cut at their keys ({2, 3}, {4, 5}, {6,
   * 7}): planned again, the kept rows are sliced alike, the slices whose new rows come out the same
   * commit the files they wrote, the first (its keys now skipped) none; the kept rows are freed
   * once the window is closed.
   */
  @Test
  void aWindowOfKeptRowsPlannedAgainWritesAgainOnlyTheSlicesThatChanged() throws Exception {
    Pipeline p = append();
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d = open(workers);
        Spill least = Spill.sliceRows(2)) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      WindowWrite wa = prepared(d, p, la, 0, 4); // keys 0 to 3
      Set<Path> before = dataFiles();
      boolean[] freed = {false};
      WindowWrite wb =
          d.begin(
              p, lb, new RunContext(p.name(), "1", p.windows().window("2024-03-02"), null, "run"));
      List<Object[]> rows = new ArrayList<>();
      LocalDateTime at = LocalDateTime.parse("2024-03-02T12:00:00");
      for (long key = 2; key < 8; key++) {
        rows.add(new Object[] {key, 1L, at});
      }
      assertThat(wb.takesScattered()).isTrue();
      wb.addScattered(new Workers.Kept(rows, () -> freed[0] = true));
      wb.prepare(new Completion("fp", p.definitionHash(), 6, 0, 0));
      Set<Path> planned = dataFiles();
      assertThat(planned).hasSize(before.size() + 3);
      assertThat(workers.jobs())
          .contains("idem window 2024-03-02: 6 rows planned in 3 slices where they were read");

      wa.commit();
      wb.commit(); // planned again: append skips 2 and 3, so the first slice writes nothing
      wa.close();
      assertThat(freed[0]).isFalse();
      wb.close();
      assertThat(freed[0]).isTrue();

      onlyTheChangedSlicesWrittenAgain(d, p, before, planned);
    }
  }

  /**
   * Another writer's commit between a window's plan and its commit (here a compaction rewriting the
   * data file the window updates rows of): the ledger did not move, but the table's data did, so
   * the window is planned again on the new snapshot and commits (its plan would delete a file the
   * table no longer has, and was retried on the same plan until it gave up).
   */
  @Test
  void aWindowPlannedBeforeAnotherWritersCommitIsPlannedAgainOnTheNewSnapshot() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE);
    try (IcebergDestination d = open()) {
      d.prepare(p);
      Lease la = d.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      WindowWrite wa = prepared(d, p, la, 0, 5);
      wa.commit();
      wa.close();
      Lease lb = d.ledger().claim("fence", "2024-03-02", "a", TTL).orElseThrow();
      WindowWrite wb = prepared(d, p, lb, 3, 4); // updates keys 3 and 4 of wa's file

      Table t = d.store(p.name()).orElseThrow().table();
      t.refresh();
      DataFile old;
      try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
        old = tasks.iterator().next().file();
      }
      Path copy =
          Path.of(old.location()).resolveSibling("compacted-" + UUID.randomUUID() + ".parquet");
      Files.copy(Path.of(old.location()), copy);
      t.newRewrite()
          .deleteFile(old)
          .addFile(DataFiles.builder(t.spec()).copy(old).withPath(copy.toString()).build())
          .commit();

      wb.commit();
      wb.close();

      assertThat(d.tableRows("fenced")).hasSize(7);
      assertThat(d.ledger().state("fence", "2024-03-02").orElseThrow().counts())
          .satisfies(
              c -> {
                assertThat(c.inserted()).isEqualTo(2);
                assertThat(c.updated()).isEqualTo(2);
              });
    }
  }

  /** append by {@code id}, day windows. */
  private static Pipeline append() {
    return Pipeline.builder("fence")
        .version("1")
        .source(new ListSource(IcebergFenceTest.pipeline(WriteStrategy.MERGE).source().schema()))
        .table("fenced")
        .strategy(WriteStrategy.APPEND)
        .key(KeySpec.columns("id"))
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .build();
  }

  private IcebergDestination open() {
    return open(Workers.IN_PROCESS);
  }

  private IcebergDestination open(Workers workers) {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve("warehouse"), "idem"),
        RunServices.defaults()
            .withClock(clock)
            .withOwner("a")
            .withLeaseTtl(TTL)
            .withWorkers(workers));
  }

  private static int tableFiles(IcebergDestination d, Pipeline p) throws IOException {
    Table t = d.store(p.name()).orElseThrow().table();
    t.refresh();
    int n = 0;
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        n++;
      }
    }
    return n;
  }

  private static WindowWrite prepared(
      IcebergDestination d, Pipeline p, Lease lease, long firstKey, int n) {
    WindowWrite w =
        d.begin(
            p,
            lease,
            new RunContext(p.name(), "1", p.windows().window(lease.windowId()), null, "run"));
    LocalDateTime at = LocalDateTime.parse(lease.windowId() + "T12:00:00");
    for (int i = 0; i < n; i++) {
      w.add(new Object[] {firstKey + i, 1L, at});
    }
    w.prepare(new Completion("fp", p.definitionHash(), n, 0, 0));
    return w;
  }

  /**
   * After window 2024-03-02 (keys 2 to 7, appended in slices {2, 3}, {4, 5}, {6, 7} on a table
   * holding 0 to 3) was planned again: its first slice's file, now of skipped keys only, is
   * deleted, the other two committed, none written again ({@code planned}: the data files once it
   * was first planned; {@code before}: those before).
   */
  private void onlyTheChangedSlicesWrittenAgain(
      IcebergDestination d, Pipeline p, Set<Path> before, Set<Path> planned) throws IOException {
    Set<Path> after = dataFiles();
    Set<Path> wbFiles = new HashSet<>(planned);
    wbFiles.removeAll(before);
    Set<Path> kept = new HashSet<>(after);
    kept.retainAll(wbFiles);
    assertThat(after).isSubsetOf(planned); // nothing written again
    assertThat(kept).hasSize(2); // the first slice's file is deleted, the others committed
    assertThat(after).hasSize(before.size() + 2);
    assertThat(tableFiles(d, p)).isEqualTo(after.size());
    assertThat(d.tableRows("fenced")).hasSize(8);
    assertThat(d.ledger().state("fence", "2024-03-02").orElseThrow().counts())
        .satisfies(
            c -> {
              assertThat(c.inserted()).isEqualTo(4);
              assertThat(c.skipped()).isEqualTo(2);
            });
  }

  /** The Parquet data files in the warehouse, committed or not. */
  private Set<Path> dataFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("warehouse"))) {
      return files
          .filter(f -> f.toString().endsWith(".parquet") && f.toString().contains("/data/"))
          .collect(Collectors.toSet());
    }
  }
}
