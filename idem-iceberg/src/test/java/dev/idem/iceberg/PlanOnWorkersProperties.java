package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.iceberg.EarlyFoldProperties.Shape;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The plan's work on the table's data files done by workers (an engine's executors: {@link
 * TableFiles#lookup} reading the files that may hold a window's keys, {@link TableFiles#rewrite}
 * writing again those a newer version or a delete changes, each task crossing Java serialization,
 * three at once) leaves the table, every window's counts and failures exactly as the plan done in
 * this process: for every strategy, versions with ties, deletes and tombstones, keys moving between
 * windows, input changed between runs, and windows whose rows are spread over several data files
 * (new rows written a task a row).
 */
class PlanOnWorkersProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("day", DataType.TIMESTAMP),
          Column.of("at", DataType.INTEGER),
          Column.of("v", DataType.STRING),
          Column.of("del", DataType.BOOLEAN));

  private static final LocalDateTime FIRST = LocalDateTime.parse("2024-03-01T10:00:00");

  /** A window's counts showing rows of the table met by its plan. */
  private static final Pattern TABLE_ROWS_MET =
      Pattern.compile("(updated|skipped|deleted|replaced)=[1-9]");

  private static String perTask;

  /** A window's new rows in as many files as there are tasks: several files per partition. */
  @BeforeContainer
  static void tasksOfOneRow() {
    perTask = RowsPerTask.set(1);
  }

  @AfterContainer
  static void defaultTasks() {
    RowsPerTask.restore(perTask);
  }

  @Property(tries = 20)
  void thePlanOnWorkersLoadsWhatThePlanInProcessLoads(
      @ForAll Shape shape, @ForAll @Size(min = 1, max = 4) List<@From("rows") List<Object[]>> runs)
      throws Exception {
    List<String> here = load(shape, runs, Workers.IN_PROCESS);
    try (SerializingWorkers workers = new SerializingWorkers(3)) {
      assertThat(load(shape, runs, workers)).isEqualTo(here);
      if (here.stream().anyMatch(l -> TABLE_ROWS_MET.matcher(l).find())) {
        // a window met rows the table held: the workers looked them up, their tasks reading the
        // keys shared once a lookup, each closed after it
        assertThat(workers.jobs()).anyMatch(j -> j.contains(" keys looked up in "));
        assertThat(workers.shared()).isPositive();
      }
      assertThat(workers.sharedOpen()).isZero();
    }
  }

  /**
   * The example the property found: {@code replace_window} refusing a window whose keys other
   * windows hold names the first of the window's own keys (in its rows' order) that another window
   * holds, on both sides, however the table's rows are spread over files.
   */
  @Example
  void aRefusedReplaceWindowNamesTheFirstOfItsOwnKeysAnotherWindowHolds() throws Exception {
    List<Object[]> others = List.of(row(1, 1), row(5, 2)); // key 1 on March 2, key 5 on March 3
    for (long first : List.of(1L, 5L)) {
      long second = first == 1 ? 5 : 1;
      List<Object[]> both = new ArrayList<>(others);
      both.add(row(first, 0));
      both.add(row(second, 0));
      List<List<Object[]>> runs = List.of(others, both);
      String refused =
          "2024-03-01 FAILED window 2024-03-01: key [id]=["
              + first
              + "] is already in window 2024-03-0"
              + (first == 1 ? 2 : 3);
      for (Workers workers : List.of(Workers.IN_PROCESS, new SerializingWorkers(3))) {
        try {
          assertThat(load(Shape.REPLACE_WINDOW, runs, workers))
              .anySatisfy(l -> assertThat(l).startsWith(refused));
        } finally {
          if (workers instanceof SerializingWorkers w) {
            w.close();
          }
        }
      }
    }
  }

  private static Object[] row(long id, int day) {
    return new Object[] {id, FIRST.plusDays(day).plusMinutes(id), 1L, "a", false};
  }

  @Provide
  Arbitrary<List<Object[]>> rows() {
    Arbitrary<Object[]> row =
        Combinators.combine(
                Arbitraries.longs().between(0, 5),
                Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(0, 2).injectNull(0.1),
                Arbitraries.of("a", "b", "c").injectNull(0.2),
                Arbitraries.of(true, false).injectNull(0.3))
            .as(
                (id, day, at, v, del) ->
                    new Object[] {id, FIRST.plusDays(day).plusMinutes(id), at, v, del});
    return row.list().ofMaxSize(12);
  }

  /**
   * Each run's rows (the whole input, changed from the run before) loaded into their day windows;
   * after each run, every window's result, message and counts, and the table's rows.
   */
  private static List<String> load(Shape shape, List<List<Object[]>> runs, Workers workers)
      throws IOException {
    Path dir = Files.createTempDirectory("plan-on-workers");
    ListSource source = new ListSource(SCHEMA);
    Pipeline p = pipeline(shape, source);
    RunServices services = RunServices.defaults().withWorkers(workers);
    List<String> out = new ArrayList<>();
    try (IcebergDestination d =
        new IcebergDestination(IcebergSettings.local(dir.resolve("warehouse"), "idem"), services)) {
      for (List<Object[]> rows : runs) {
        source.replaceAll(rows);
        List<Window> windows = source.windows(p.windows());
        RunReport r = new Runner(d, services).run(p, windows, RunOptions.defaults("run"));
        for (WindowOutcome o : r.outcomes()) {
          out.add(o.window().id() + " " + o.result() + " " + o.message() + " " + o.counts());
        }
        out.addAll(d.tableRows("t").stream().sorted().toList());
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    return out;
  }

  private static Pipeline pipeline(Shape shape, ListSource source) {
    Pipeline.Builder b =
        Pipeline.builder("p")
            .version("1")
            .source(source)
            .table("t")
            // replace_table replaces the whole table: one full window
            .windows(
                shape == Shape.REPLACE_TABLE
                    ? WindowSpec.full()
                    : WindowSpec.day("day", ZoneOffset.UTC));
    return EarlyFoldProperties.written(b, shape).build();
  }
}
