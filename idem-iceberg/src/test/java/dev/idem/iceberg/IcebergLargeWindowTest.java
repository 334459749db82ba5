package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.key.KeySpec;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a window finds its keys in the table's files: by an {@code in} filter of up to 200 keys, by
 * their range above (a window of more than 10,000 keys too), on the key's first column (a key of
 * several columns too), with the same result as for a small window, and reading only the files
 * whose column statistics may hold the keys.
 */
class IcebergLargeWindowTest {
  private static final LocalDateTime MARCH_1 = LocalDateTime.parse("2024-03-01T10:00:00");

  @TempDir Path dir;

  /** Rows of a key (of {@code keyType}), a value and a time. */
  private static ListSource source(DataType keyType) {
    return new ListSource(
        Schema.of(
            Column.of("id", keyType),
            Column.of("v", DataType.STRING),
            Column.of("at", DataType.TIMESTAMP)));
  }

  /** A merge of {@code s} on {@code key} (the latest {@code at} kept), a window a day. */
  private static Pipeline merge(ListSource s, KeySpec key) {
    return Pipeline.builder("big")
        .version("1")
        .source(s)
        .table("big")
        .strategy(WriteStrategy.MERGE)
        .key(key)
        .orderBy("at")
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .build();
  }

  private IcebergDestination destination(Workers workers) {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve("warehouse"), "idem"),
        RunServices.defaults().withWorkers(workers));
  }

  /** Runs every window of {@code p}'s source; each loads. */
  private static RunReport run(IcebergDestination d, Pipeline p, Workers workers)
      throws IOException {
    RunReport r =
        new Runner(d, RunServices.defaults().withWorkers(workers))
            .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
    assertThat(r.ok()).as(r.toString()).isTrue();
    return r;
  }

  @Test
  void aWindowOfManyKeysUpdatesTheKeysItSharesAndInsertsTheRest() throws Exception {
    ListSource s = source(DataType.INTEGER);
    for (long id = 0; id < 10_500; id++) {
      s.add(id, "first", MARCH_1);
    }
    for (long id = 5_000; id < 15_500; id++) {
      s.add(id, "second", MARCH_1.plusDays(1));
    }
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (IcebergDestination d = destination(Workers.IN_PROCESS)) {
      RunReport r = run(d, p, Workers.IN_PROCESS);
      WindowCounts second = r.outcomes().get(1).counts();
      assertThat(second.updated()).isEqualTo(5_500);
      assertThat(second.inserted()).isEqualTo(5_000);
      assertThat(d.tableRows("big"))
          .hasSize(15_500)
          .filteredOn(row -> row.contains("v=second"))
          .hasSize(10_500);
      assertThat(d.ledger().state("big", "2024-03-01").orElseThrow().counts().targetRows())
          .isEqualTo(5_000);
    }
  }

  /**
   * The range of string keys in the order of Iceberg's column statistics, by code point: Java's
   * order puts a character above the basic plane (a surrogate pair, 0xD83D first) below U+FFFF, so
   * a range ending at U+FFFF by Java's order would leave out the file of the key above it.
   */
  @Test
  void theRangeOfStringKeysIsTakenInIcebergsOrder() throws Exception {
    ListSource s = source(DataType.STRING);
    String above = "\uD83D\uDE00"; // U+1F600
    s.add(above, "first", MARCH_1);
    for (int i = 0; i <= 10_000; i++) {
      s.add(String.format("a%05d", i), "second", MARCH_1.plusDays(1));
    }
    s.add("\uFFFF", "second", MARCH_1.plusDays(1));
    s.add(above, "second", MARCH_1.plusDays(1));
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (IcebergDestination d = destination(Workers.IN_PROCESS)) {
      WindowCounts second = run(d, p, Workers.IN_PROCESS).outcomes().get(1).counts();
      assertThat(second.updated()).isEqualTo(1);
      assertThat(second.inserted()).isEqualTo(10_002);
      assertThat(d.tableRows("big")).hasSize(10_003).noneMatch(row -> row.contains("v=first"));
    }
  }

  /**
   * Iceberg's column statistics test an {@code in} filter of more than 200 values as "may match"
   * for every file: a window of 300 keys, all in one earlier window's range, looks them up in that
   * window's file only (by their range), not in every file of the table.
   */
  @Test
  void aWindowOfHundredsOfKeysLooksThemUpInTheFilesOfTheirRangeOnly() throws Exception {
    ListSource s = source(DataType.INTEGER);
    for (long id = 0; id < 3_000; id++) {
      s.add(id, "first", MARCH_1.plusDays(id / 1_000));
    }
    for (long id = 1_000; id < 1_300; id++) {
      s.add(id, "second", MARCH_1.plusDays(3));
    }
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (SerializingWorkers workers = new SerializingWorkers(2);
        IcebergDestination d = destination(workers)) {
      assertThat(run(d, p, workers).outcomes().get(3).counts().updated()).isEqualTo(300);
      assertThat(workers.jobs())
          .contains("idem window 2024-03-04: 300 keys looked up in 1 data files");
    }
  }

  /**
   * A spilled window is sliced by key range, and each slice writes its new rows in a file of its
   * range: the same window spilled again looks each slice's keys up in that one file, not in the
   * table's every file (as slices by the keys' hash did).
   */
  @ParameterizedTest(name = "workers running {0} tasks at once")
  @ValueSource(ints = {1, 2})
  void eachSliceOfASpilledWindowLooksItsKeysUpInTheFileOfItsRange(int atOnce) throws Exception {
    ListSource s = source(DataType.INTEGER);
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (SerializingWorkers workers = new SerializingWorkers(atOnce);
        IcebergDestination d = destination(workers);
        Spill spill = Spill.set(999, 64)) {
      long lookedUp = loadTwice(s, p, d, workers);
      assertThat(d.ledger().state("big", "2024-03-01").orElseThrow().counts().updated())
          .isEqualTo(3_000);
      // 3,000 rows past 999 held: four slices of 750 keys, each looked up in its one file
      assertThat(lookedUp).isEqualTo(4);
      if (atOnce == 1) { // the slices planned here, their lookups by the workers
        assertThat(workers.jobs().stream().filter(j -> j.contains(" keys looked up in ")))
            .containsExactly(
                Collections.nCopies(4, "idem window 2024-03-01: 750 keys looked up in 1 data files")
                    .toArray(String[]::new));
      } else { // each run's slices planned by the workers, a task a slice, one at a time (999
        // rows held are fewer than WindowPlan.sliceRows(): no two slices share them)
        assertThat(workers.jobs().stream().filter(j -> j.contains(" planned in ")))
            .containsExactly(
                Collections.nCopies(8, "idem window 2024-03-01: 750 rows planned in 1 slices")
                    .toArray(String[]::new));
      }
    }
  }

  /**
   * Where the workers run tasks elsewhere, a window held in memory of enough rows is cut by key
   * into a slice for each task they run at once (no more than leave each slice the fewest rows),
   * each planned by a task that writes a file of its range of keys: the same window again looks
   * each slice's keys up in that one file. With the tasks run here, the window is one slice.
   */
  @ParameterizedTest(name = "workers running {0} tasks at once")
  @ValueSource(ints = {1, 2, 3, 4})
  void aWindowHeldInMemoryIsPlannedBySlicesOfItsKeyRangeOnTheWorkers(int atOnce) throws Exception {
    ListSource s = source(DataType.INTEGER);
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (SerializingWorkers workers = new SerializingWorkers(atOnce);
        IcebergDestination d = destination(workers);
        Spill least = Spill.sliceRows(1_000)) {
      long lookedUp = loadTwice(s, p, d, workers);
      assertThat(d.ledger().state("big", "2024-03-01").orElseThrow().counts().updated())
          .isEqualTo(3_000);
      assertThat(d.tableRows("big")).hasSize(3_000).allMatch(r -> r.contains("v=second"));
      List<String> planned =
          workers.jobs().stream().filter(j -> j.contains(" planned in ")).toList();
      assertThat(workers.sharedOpen()).isZero(); // the slices' rows freed after each job
      switch (atOnce) {
        case 1 -> { // one slice, planned here, in one file of every key
          assertThat(planned).isEmpty();
          assertThat(keyRanges(d, p)).containsExactly("0..2999");
          assertThat(lookedUp).isEqualTo(1);
        }
        case 2 -> { // a slice a task
          assertThat(planned)
              .containsExactly(
                  Collections.nCopies(2, "idem window 2024-03-01: 3000 rows planned in 2 slices")
                      .toArray(String[]::new));
          assertThat(keyRanges(d, p)).containsExactly("0..1499", "1500..2999");
          assertThat(lookedUp).isEqualTo(2);
        }
        default -> { // three slices of the 1,000 rows at the least, however many tasks at once
          assertThat(planned)
              .containsExactly(
                  Collections.nCopies(2, "idem window 2024-03-01: 3000 rows planned in 3 slices")
                      .toArray(String[]::new));
          assertThat(keyRanges(d, p)).containsExactly("0..999", "1000..1999", "2000..2999");
          assertThat(lookedUp).isEqualTo(3);
        }
      }
    }
  }

  /**
   * A spilled window's slices planned by the workers several at once, as many as they run at once
   * but no more than leave each slice the fewest rows of those held in memory: 3,000 rows past
   * 1,000 held, slices of 500 at the least, two workers: six slices of 500, two a job.
   */
  @Test
  void aSpilledWindowsSlicesArePlannedSeveralAtOnceSharingTheRowsHeld() throws Exception {
    ListSource s = source(DataType.INTEGER);
    Pipeline p = merge(s, KeySpec.columns("id"));
    try (SerializingWorkers workers = new SerializingWorkers(2);
        IcebergDestination d = destination(workers);
        Spill spill = Spill.set(1_000, 64);
        Spill least = Spill.sliceRows(500)) {
      long lookedUp = loadTwice(s, p, d, workers);
      assertThat(d.tableRows("big")).hasSize(3_000).allMatch(r -> r.contains("v=second"));
      assertThat(workers.jobs().stream().filter(j -> j.contains(" planned in ")))
          .containsExactly(
              Collections.nCopies(6, "idem window 2024-03-01: 1000 rows planned in 2 slices")
                  .toArray(String[]::new));
      assertThat(lookedUp).isEqualTo(6); // each slice's 500 keys in the one file of its range
      assertThat(workers.sharedOpen()).isZero();
    }
  }

  /** The fewest rows of a slice the workers plan: 100,000 unless set; 0 is refused. */
  @Test
  void theFewestRowsOfASliceAreAHundredThousandUnlessSet() {
    assertThat(System.getProperty(WindowPlan.SLICE_ROWS)).isNull();
    assertThat(WindowPlan.sliceRows()).isEqualTo(100_000);
    try (Spill least = Spill.sliceRows(0)) {
      assertThatThrownBy(WindowPlan::sliceRows)
          .isInstanceOf(ConfigException.class)
          .hasMessage("-Didem.window.slice.rows must be 1 or more, not 0");
    }
  }

  /**
   * Loads 3,000 keys in no order into one day window of {@code p}'s source, then the same keys
   * again with another value; how many data files the second run's lookups read.
   */
  private static long loadTwice(
      ListSource s, Pipeline p, IcebergDestination d, SerializingWorkers workers)
      throws IOException {
    long lookedUp = 0;
    for (String v : List.of("first", "second")) {
      List<Object[]> rows = new ArrayList<>();
      for (long id = 2_999; id >= 0; id--) { // in no order of the key
        rows.add(new Object[] {id * 7 % 3_000, v, MARCH_1});
      }
      s.replaceAll(rows);
      lookedUp = TableFiles.LOOKED_UP.get();
      run(d, p, workers);
    }
    return TableFiles.LOOKED_UP.get() - lookedUp;
  }

  /** The range of {@code id} in each of the table's data files, sorted. */
  private static List<String> keyRanges(IcebergDestination d, Pipeline p) throws IOException {
    Table t = d.store(p.name()).orElseThrow().table();
    t.refresh();
    Types.NestedField id = t.schema().findField("id");
    List<String> ranges = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        Object low =
            Conversions.fromByteBuffer(id.type(), task.file().lowerBounds().get(id.fieldId()));
        Object high =
            Conversions.fromByteBuffer(id.type(), task.file().upperBounds().get(id.fieldId()));
        ranges.add(low + ".." + high);
      }
    }
    ranges.sort(Comparator.comparingLong(r -> Long.parseLong(r.substring(0, r.indexOf('.')))));
    return ranges;
  }

  /** A key of two columns is looked up in the files that may hold its first column's values. */
  @Test
  void aKeyOfTwoColumnsIsLookedUpInTheFilesOfItsFirstColumnsValues() throws Exception {
    ListSource s =
        new ListSource(
            Schema.of(
                Column.of("region", DataType.STRING),
                Column.of("id", DataType.INTEGER),
                Column.of("v", DataType.STRING),
                Column.of("at", DataType.TIMESTAMP)));
    List<String> regions = List.of("a", "b", "c");
    for (int day = 0; day < 3; day++) {
      for (long id = 0; id < 100; id++) {
        s.add(regions.get(day), id, "first", MARCH_1.plusDays(day));
      }
    }
    for (long id = 0; id < 5; id++) {
      s.add("b", id, "second", MARCH_1.plusDays(3));
    }
    Pipeline p = merge(s, KeySpec.columns("region", "id"));
    try (SerializingWorkers workers = new SerializingWorkers(2);
        IcebergDestination d = destination(workers)) {
      assertThat(run(d, p, workers).outcomes().get(3).counts().updated()).isEqualTo(5);
      assertThat(d.tableRows("big")).hasSize(300);
      assertThat(workers.jobs())
          .contains("idem window 2024-03-04: 5 keys looked up in 1 data files");
    }
  }
}
