package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.destination.RowFold;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.key.KeySpec;
import dev.idem.ledger.DeadLetter;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.EarlyFold;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.StagingElsewhere;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.BadValue;
import dev.idem.source.FoldsEarly;
import dev.idem.source.RecordReader;
import dev.idem.source.ScattersRows;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * A reader that folds parts of a window early by the write's {@link RowFold} ({@link FoldsEarly},
 * as Spark's tasks do) leaves the table, the window's counts, its dead letters and its failure
 * exactly as the same records read whole and folded by the write alone: for every strategy, a key
 * of one column, of two (sometimes NULL) or a hash, versions with ties, deletes, bad records and
 * bad values, a bad-record limit, parts of any sizes, and as few keys held at once as one.
 */
class EarlyFoldProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("at", DataType.INTEGER),
          Column.of("v", DataType.STRING),
          Column.of("del", DataType.BOOLEAN));

  /** How a pipeline writes: strategy, key, version and deletes. */
  enum Shape {
    MERGE_ORDERED_DELETES,
    MERGE_ORDERED,
    MERGE,
    APPEND,
    REPLACE_WINDOW,
    REPLACE_TABLE,
    MERGE_HASH_KEY,
    /** A key of two columns, one of them sometimes NULL (the window fails on both sides). */
    MERGE_TWO_COLUMN_KEY,
    REPLACE_WINDOW_WITHOUT_KEY,
    REPLACE_TABLE_WITHOUT_KEY;

    /** Whether the pipeline has a key. */
    boolean keyed() {
      return this != REPLACE_WINDOW_WITHOUT_KEY && this != REPLACE_TABLE_WITHOUT_KEY;
    }

    /** Whether the strategy replaces the whole table (its pipeline has one full window). */
    boolean wholeTable() {
      return this == REPLACE_TABLE || this == REPLACE_TABLE_WITHOUT_KEY;
    }
  }

  @Property(tries = 40)
  void foldingPartsEarlyLoadsWhatTheWriteAloneLoads(
      @ForAll Shape shape,
      @ForAll("records") List<SourceRecord> first,
      @ForAll("records") List<SourceRecord> second,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 7) Integer> parts,
      @ForAll @IntRange(min = 1, max = 4) int keys,
      @ForAll @IntRange(min = 0, max = 4) int badLimit)
      throws Exception {
    List<String> whole = load(shape, first, second, null, 1, badLimit, new FoldingSource[1]);
    List<String> folded = load(shape, first, second, parts, keys, badLimit, new FoldingSource[1]);
    assertThat(folded).isEqualTo(whole);
  }

  /**
   * A reader that keeps the rows it stages where it reads them ({@link ScattersRows}, as Spark's
   * tasks do on a cluster), the workers planning them there in slices of their keys (cut at a
   * sample's keys, 1 or 2 rows a slice at the least, three tasks at once, each crossing Java
   * serialization), leaves the table, the counts, the dead letters and the failures exactly as the
   * same records read whole and staged by the runner: no row of a keyed window is staged by the
   * runner.
   */
  @Property(tries = 40)
  void rowsKeptWhereTheyWereReadLoadWhatTheRunnerStagingThemLoads(
      @ForAll Shape shape,
      @ForAll("records") List<SourceRecord> first,
      @ForAll("records") List<SourceRecord> second,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 7) Integer> parts,
      @ForAll @IntRange(min = 1, max = 4) int keys,
      @ForAll @IntRange(min = 0, max = 4) int badLimit,
      @ForAll @IntRange(min = 1, max = 2) int sliceRows)
      throws Exception {
    List<String> whole = load(shape, first, second, null, 1, badLimit, new FoldingSource[1]);
    FoldingSource[] used = new FoldingSource[1];
    boolean sliced;
    try (SerializingWorkers workers = new SerializingWorkers(3);
        Spill least = Spill.sliceRows(sliceRows)) {
      assertThat(load(shape, first, second, parts, keys, badLimit, used, workers)).isEqualTo(whole);
      sliced = workers.jobs().stream().anyMatch(j -> j.matches(".* in [2-9] slices where .*"));
      if (used[0].keptFirst > 0 && whole.get(0).startsWith("LOADED")) {
        // the first run's kept rows planned where they were
        assertThat(workers.jobs()).anyMatch(j -> j.endsWith(" slices where they were read"));
      }
      assertThat(workers.sharedOpen()).isZero();
    }
    // each run of a keyed pipeline that read the window (the second may find it unchanged)
    if (shape.keyed()) {
      assertThat(used[0].scattered).isBetween(1, 2);
    } else {
      assertThat(used[0].scattered).isZero();
    }
    Statistics.label("kept rows planned in several slices").collect(sliced);
    Statistics.label("kept rows planned in several slices")
        .coverage(c -> c.check(true).percentage(pc -> pc > 10));
  }

  /**
   * A reader whose kept rows are not as many as the records it returned as staged elsewhere is
   * refused before the window is planned: nothing is committed.
   */
  @Test
  void keptRowsNotAsManyAsTheRecordsStagedElsewhereAreRefused() throws Exception {
    FoldingSource source = new FoldingSource(List.of(3), 2);
    source.extraKept = 1;
    Pipeline p = pipeline(Shape.MERGE, source, 0);
    source.pipeline = p;
    source.records = List.of(row(1, 1, "a", null), row(2, 1, "b", null));
    Path dir = Files.createTempDirectory("early-fold");
    try (SerializingWorkers workers = new SerializingWorkers(3);
        IcebergDestination d =
            new IcebergDestination(
                IcebergSettings.local(dir.resolve("warehouse"), "idem"),
                RunServices.defaults().withWorkers(workers))) {
      RunServices services = RunServices.defaults().withWorkers(workers);
      String failure;
      try {
        RunReport r =
            new Runner(d, services).run(p, List.of(Window.full()), RunOptions.defaults("run"));
        failure = r.outcomes().get(0).result() + " " + r.outcomes().get(0).message();
      } catch (IllegalStateException e) {
        failure = e.getMessage();
      }
      assertThat(failure).contains("kept 3 rows where it read them for 2 records staged elsewhere");
      assertThat(d.tableRows("t")).isEmpty();
    } finally {
      delete(dir);
    }
  }

  /** The example a property may not draw: rows folded by the reader, counted as folded. */
  @Test
  void aKeysOlderVersionsInAPartAreFoldedThereAndCountedAsFolded() throws Exception {
    List<SourceRecord> rows =
        List.of(
            row(1, 1, "a", null),
            row(1, 3, "b", null),
            row(2, 1, "c", null),
            row(1, 2, "d", null),
            row(1, 3, "a", null));
    List<String> whole = load(Shape.MERGE_ORDERED, rows, rows, null, 1, 0, new FoldingSource[1]);
    FoldingSource[] source = new FoldingSource[1];
    List<String> folded = load(Shape.MERGE_ORDERED, rows, rows, List.of(5), 2, 0, source);
    assertThat(folded).isEqualTo(whole);
    // (1,3,"b") is kept: of the two rows of version 3, the greater other values
    assertThat(source[0].foldedEarly).isEqualTo(3);
    assertThat(folded).anySatisfy(l -> assertThat(l).contains("folded=3"));
    assertThat(folded).anySatisfy(l -> assertThat(l).contains("id=1").contains("v=b"));
  }

  /**
   * The write offers its fold only to a pipeline with a key and without row functions (which need
   * the run's context, which a task has not got); else the reader reads as it would.
   */
  @Test
  void noFoldIsOfferedWithoutAKeyOrWithRowFunctions() throws Exception {
    List<SourceRecord> rows = List.of(row(1, 1, "a", null), row(1, 2, "b", null));
    FoldingSource source = new FoldingSource(List.of(2), 2);
    Pipeline.Builder keyless =
        Pipeline.builder("p")
            .version("1")
            .source(source)
            .table("t")
            .windows(WindowSpec.full())
            .strategy(WriteStrategy.REPLACE_WINDOW);
    Pipeline.Builder withFunction =
        Pipeline.builder("p")
            .version("1")
            .source(source)
            .table("t")
            .windows(WindowSpec.full())
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .rowFunction("same", (values, context) -> values);
    for (Pipeline.Builder b : List.of(keyless, withFunction)) {
      Path dir = Files.createTempDirectory("early-fold");
      source.records = rows;
      source.pipeline = b.build();
      try (IcebergDestination d =
          new IcebergDestination(
              IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
        RunReport r =
            new Runner(d, RunServices.defaults())
                .run(source.pipeline, List.of(Window.full()), RunOptions.defaults("run"));
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(d.tableRows("t")).hasSize(source.pipeline.target().key() == null ? 2 : 1);
      } finally {
        delete(dir);
      }
    }
    assertThat(source.foldsOffered).isZero();
  }

  /**
   * A record the reader folded counts as staged for the MID_STAGING fault point, as it would have
   * been staged by the runner: the crash comes once the first record returned is taken, here the
   * folded older version of key 1, not once the next is.
   */
  @Test
  void aFoldedRecordCountsAsStagedForTheMidStagingFaultPoint() throws Exception {
    FoldingSource source = new FoldingSource(List.of(2), 2);
    Pipeline p = pipeline(Shape.MERGE_ORDERED, source, 0);
    source.pipeline = p;
    source.records = List.of(row(1, 1, "a", null), row(1, 2, "b", null));
    int[] takenAtCrash = {-1};
    FaultInjector crash =
        (point, window) -> {
          if (point == FaultPoint.MID_STAGING) {
            takenAtCrash[0] = source.taken;
            throw new SimulatedCrash(point, window.id());
          }
        };
    Path dir = Files.createTempDirectory("early-fold");
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      assertThatThrownBy(
              () ->
                  new Runner(d, RunServices.defaults().withFaults(crash))
                      .run(p, List.of(Window.full()), RunOptions.defaults("run")))
          .isInstanceOf(SimulatedCrash.class);
    } finally {
      delete(dir);
    }
    assertThat(source.foldedEarly).isEqualTo(1);
    assertThat(takenAtCrash[0]).isEqualTo(1);
  }

  private static SourceRecord row(long id, long at, String v, Boolean del) {
    return new SourceRecord(new Object[] {id, at, v, del}, null);
  }

  @Provide
  Arbitrary<List<SourceRecord>> records() {
    Arbitrary<Object[]> values =
        Combinators.combine(
                Arbitraries.longs().between(0, 3),
                Arbitraries.longs().between(0, 2).injectNull(0.1),
                Arbitraries.of("a", "b", "c").injectNull(0.2),
                Arbitraries.of(true, false).injectNull(0.3))
            .as((id, at, v, del) -> new Object[] {id, at, v, del});
    Arbitrary<SourceRecord> record =
        Arbitraries.frequencyOf(
            Tuple.of(8, values.map(v -> new SourceRecord(v, null))),
            Tuple.of(1, Arbitraries.just(SourceRecord.bad(null, "x,y", "not a record"))),
            Tuple.of(
                1,
                values.map(
                    v ->
                        SourceRecord.withBadValues(
                            v, null, "raw", List.of(new BadValue("at", "zz", "not an integer"))))));
    return record.list().ofMaxSize(14);
  }

  /**
   * Loads {@code first} then {@code second} as one window, its parts folded early when {@code
   * parts} (their sizes, repeated) is given, holding {@code keys} keys at most; what the table, the
   * counts, the dead letters and the runs' failures are after each.
   */
  private List<String> load(
      Shape shape,
      List<SourceRecord> first,
      List<SourceRecord> second,
      List<Integer> parts,
      int keys,
      int badLimit,
      FoldingSource[] used)
      throws Exception {
    return load(shape, first, second, parts, keys, badLimit, used, Workers.IN_PROCESS);
  }

  /**
   * As {@link #load}, the destination's work done by {@code workers}: where they run elsewhere, the
   * reader keeps the rows it stages and the workers plan them there ({@link ScattersRows}).
   */
  private List<String> load(
      Shape shape,
      List<SourceRecord> first,
      List<SourceRecord> second,
      List<Integer> parts,
      int keys,
      int badLimit,
      FoldingSource[] used,
      Workers workers)
      throws Exception {
    Path dir = Files.createTempDirectory("early-fold");
    RunServices services = RunServices.defaults().withWorkers(workers);
    FoldingSource source = new FoldingSource(parts, keys);
    used[0] = source;
    Pipeline p = pipeline(shape, source, badLimit);
    source.pipeline = p;
    List<String> out = new ArrayList<>();
    try (IcebergDestination d =
        new IcebergDestination(IcebergSettings.local(dir.resolve("warehouse"), "idem"), services)) {
      for (List<SourceRecord> input : List.of(first, second)) {
        source.records = input;
        RunReport r =
            new Runner(d, services).run(p, List.of(Window.full()), RunOptions.defaults("run"));
        WindowOutcome o = r.outcomes().get(0);
        out.add(o.result() + " " + o.message() + " " + o.counts());
        out.addAll(d.tableRows("t"));
        for (DeadLetter l : d.ledger().deadLetters("p", Optional.empty(), true)) {
          out.add(l.position() + " " + l.raw() + " " + l.reason());
        }
      }
    } finally {
      delete(dir);
    }
    return out;
  }

  private static void delete(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static Pipeline pipeline(Shape shape, Source source, int badLimit) {
    Pipeline.Builder b =
        Pipeline.builder("p")
            .version("1")
            .source(source)
            .table("t")
            .windows(WindowSpec.full())
            .badRecords(new BadRecordPolicy(badLimit, null));
    return written(b, shape).build();
  }

  /**
   * {@code b} writing as {@code shape} says: its key and strategy, version ({@code at}) and deletes
   * ({@code del}), on a source with columns {@code id}, {@code at}, {@code v} and {@code del}.
   */
  static Pipeline.Builder written(Pipeline.Builder b, Shape shape) {
    if (shape.keyed()) {
      b.key(
          switch (shape) {
            case MERGE_HASH_KEY -> KeySpec.hash("id");
            case MERGE_TWO_COLUMN_KEY -> KeySpec.columns("id", "v");
            default -> KeySpec.columns("id");
          });
    }
    switch (shape) {
      case MERGE_ORDERED_DELETES ->
          b.strategy(WriteStrategy.MERGE)
              .orderBy("at")
              .deletes(new DeleteRule("del", DeleteRule.Kind.BOOLEAN, null, null));
      case MERGE_ORDERED, MERGE_TWO_COLUMN_KEY -> b.strategy(WriteStrategy.MERGE).orderBy("at");
      case MERGE, MERGE_HASH_KEY -> b.strategy(WriteStrategy.MERGE);
      case APPEND -> b.strategy(WriteStrategy.APPEND);
      case REPLACE_WINDOW, REPLACE_WINDOW_WITHOUT_KEY -> b.strategy(WriteStrategy.REPLACE_WINDOW);
      case REPLACE_TABLE, REPLACE_TABLE_WITHOUT_KEY -> b.strategy(WriteStrategy.REPLACE_TABLE);
    }
    return b;
  }

  /**
   * The records given, numbered {@code list:N}, in one full window; read in parts of the given
   * sizes each folded by itself ({@link EarlyFold}) when asked to fold early and given sizes.
   */
  private static final class FoldingSource implements Source, ScattersRows {
    private final List<Integer> parts;
    private final int keys;
    List<SourceRecord> records = List.of();
    Pipeline pipeline;
    int foldedEarly;
    int foldsOffered;

    /** Records the last reader returned so far. */
    int taken;

    /** Readers asked to keep the rows they stage ({@link #readScattering}). */
    int scattered;

    /** Rows kept where they were read, by the first reader. */
    int keptFirst = -1;

    /** Rows a reader keeps more than it staged (a reader that lies). */
    int extraKept;

    FoldingSource(List<Integer> parts, int keys) {
      this.parts = parts;
      this.keys = keys;
    }

    @Override
    public Schema schema() {
      return SCHEMA;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return List.of(Window.full());
    }

    /** Cheap, as a file's bytes are: the records are not hashed by the runner. */
    @Override
    public Optional<String> fingerprint(WindowSpec spec, Window window) {
      StringBuilder b = new StringBuilder();
      for (SourceRecord r : records) {
        b.append(Arrays.toString(r.values())).append(r.problem()).append(r.badValues());
      }
      return Optional.of(b.toString());
    }

    private List<SourceRecord> numbered() {
      List<SourceRecord> out = new ArrayList<>();
      for (SourceRecord r : records) {
        String at = "list:" + (out.size() + 1);
        out.add(
            new SourceRecord(
                r.values() == null ? null : r.values().clone(),
                at,
                r.raw(),
                r.problem(),
                r.badValues()));
      }
      return out;
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      return reader(numbered());
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window, ObservedSchema observed) {
      return read(spec, window);
    }

    @Override
    public RecordReader read(
        WindowSpec spec, Window window, ObservedSchema observed, RowFold fold) {
      foldsOffered++;
      return parts == null ? read(spec, window) : reader(folded(fold, null));
    }

    /**
     * Reads in parts as {@link #read(WindowSpec, Window, ObservedSchema, RowFold)}, each winner's
     * row kept here as the rows a task keeps and returned as staged elsewhere.
     */
    @Override
    public ScattersRows.Reader readScattering(
        WindowSpec spec, Window window, ObservedSchema observed, RowFold fold) {
      scattered++;
      List<Object[]> rows = new ArrayList<>();
      RecordReader r = reader(folded(fold, rows));
      for (int i = 0; i < extraKept && !rows.isEmpty(); i++) {
        rows.add(rows.get(0));
      }
      keptFirst = keptFirst < 0 ? rows.size() : keptFirst;
      return new ScattersRows.Reader() {
        @Override
        public Optional<Workers.Scattered> scattered() {
          return Optional.of(new Workers.Kept(rows));
        }

        @Override
        public SourceRecord next() throws IOException {
          return r.next();
        }

        @Override
        public void close() throws IOException {
          r.close();
        }
      };
    }

    /**
     * The records in parts, each folded by itself ({@link EarlyFold}); with {@code kept}, each
     * record the runner stages and the fold keeps staged here instead, its row added to it.
     */
    private List<SourceRecord> folded(RowFold fold, List<Object[]> kept) {
      StagingElsewhere staging = kept == null ? null : new StagingElsewhere(pipeline);
      List<SourceRecord> all = numbered();
      List<SourceRecord> out = new ArrayList<>();
      int from = 0;
      for (int i = 0; from < all.size(); i++) {
        List<SourceRecord> part =
            all.subList(from, Math.min(all.size(), from + parts.get(i % parts.size())));
        EarlyFold f = new EarlyFold(pipeline, fold, keys, part::get);
        part.forEach(f::add);
        for (int k = 0; k < part.size(); k++) {
          SourceRecord folded = f.replacement(k);
          StagingElsewhere.Staged staged =
              folded != null || staging == null ? null : staging.stage(part.get(k));
          if (staged != null) {
            kept.add(staged.row());
            out.add(staged.returned());
          } else {
            out.add(folded == null ? part.get(k) : folded);
          }
        }
        foldedEarly += f.folded();
        from += part.size();
      }
      return out;
    }

    private RecordReader reader(List<SourceRecord> records) {
      Iterator<SourceRecord> it = records.iterator();
      taken = 0;
      return new RecordReader() {
        @Override
        public SourceRecord next() throws IOException {
          if (!it.hasNext()) {
            return null;
          }
          taken++;
          return it.next();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String describe() {
      return "records";
    }
  }
}
