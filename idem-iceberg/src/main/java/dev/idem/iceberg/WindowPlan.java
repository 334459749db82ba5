package dev.idem.iceberg;

import dev.idem.ConfigException;
import dev.idem.context.Workers;
import dev.idem.iceberg.LedgerState.Tombstone;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.key.KeyEncoding;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.ValueCodec;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one window's commit does to its table, computed against one snapshot and one ledger: the
 * window's rows folded by key (ADR 0003), the strategy applied copy-on-write (data files holding a
 * replaced or deleted row are rewritten without it), the counts, the tombstones and the other
 * windows' row counts that follow. Nothing is visible until {@link #apply} adds its files to a
 * transaction that commits.
 *
 * <p>A window whose rows were spilled ({@link StagedRows}) is planned a slice of its keys at a time
 * ({@link SlicePlanner}): each key is in one slice, and what the strategy decides for a key depends
 * on that key's rows alone, so the slices' decisions, counts and new rows add up to the whole
 * window's, whether the planning thread plans them one after another or the destination's workers
 * plan several at once, a task a slice. What does not split by key is done once, after the last
 * slice: a table file changed by several slices is written again once without all their rows, the
 * rows the window had before are counted, and {@code replace_window}'s refusal names the window's
 * least key (in the key order slices are cut by) another window holds.
 */
final class WindowPlan extends PlanCounts {
  private static final Logger LOG = LoggerFactory.getLogger(WindowPlan.class);

  private static final long serialVersionUID = 1L;

  final String pointer;
  final long staged;
  final org.apache.iceberg.Schema writeSchema;
  final List<DataFile> written = new ArrayList<>();
  private final List<DataFile> removed = new ArrayList<>();
  private final Map<String, Long> rowDelta = new HashMap<>();
  private final Map<String, Tombstone> raised = new LinkedHashMap<>();
  private Expression overwrite;
  private Long fromSnapshot;
  private Instant plannedAt;

  /** The table's snapshot the plan was made on: null for a table without one. */
  Long fromSnapshot() {
    return fromSnapshot;
  }

  /**
   * The time the plan was made at: its tombstones are recorded then, and the retention's cutoff
   * counts from it (a tombstone the plan took as past it must be the one its commit forgets).
   */
  Instant plannedAt() {
    return plannedAt;
  }

  /** The files of the window's new rows, by slice, with what they hold. */
  private final NewRows newRows = new NewRows(new HashMap<>());

  /** The files of the window's new rows (not rewrites of the table's files). */
  private final List<DataFile> newFiles = new ArrayList<>();

  long targetRowsAfter;

  private WindowPlan(String pointer, long staged, org.apache.iceberg.Schema writeSchema) {
    this.pointer = pointer;
    this.staged = staged;
    this.writeSchema = writeSchema;
  }

  /** Plans the window against the table's current snapshot and the table's {@code tombstones}. */
  static WindowPlan of(
      Pipeline pipeline,
      TableSchema schema,
      TableFiles files,
      Snapshot snapshot,
      String pointer,
      Map<String, Tombstone> tombstones,
      String window,
      String windowOrder,
      StagedRows staged,
      Workers.Scattered scattered,
      Instant now,
      NewRows earlier) {
    WindowPlan p =
        new WindowPlan(
            pointer,
            scattered == null ? staged.size() : staged.size() + scattered.rows(),
            files.schema());
    p.fromSnapshot = snapshot == null ? null : snapshot.snapshotId();
    p.plannedAt = now;
    try {
      new Planner(pipeline, schema, files, tombstones, window, windowOrder, now, p, earlier)
          .plan(staged, scattered);
    } catch (RuntimeException | Error e) {
      // the files it wrote before it failed (rewrites, then the new rows) will never be committed
      files.discard(own(p.written, earlier));
      throw e;
    }
    return p;
  }

  /**
   * Of a plan's files, those it wrote: an earlier plan's files it took are that plan's to discard
   * (by location: a file a task took again comes back as a copy).
   */
  private static List<DataFile> own(List<DataFile> files, NewRows earlier) {
    return earlier == null ? files : TableFiles.without(files, earlier.files());
  }

  /**
   * The data files this plan wrote the window's new rows to (not a rewrite of a table file), slice
   * by slice, with what they hold: when the window is planned again on a newer snapshot (another
   * commit landed first) and a slice's new rows come out the same, its files are used again instead
   * of writing the same rows twice. Null when the plan has no new rows' files (written or taken).
   */
  NewRows newRows() {
    return newRows.bySlice().isEmpty() ? null : newRows;
  }

  /** Written files of new rows, by the slice that wrote them. */
  record NewRows(Map<Integer, Written> bySlice) {
    /** Every slice's files. */
    List<DataFile> files() {
      List<DataFile> out = new ArrayList<>();
      bySlice.values().forEach(w -> out.addAll(w.files()));
      return out;
    }
  }

  /**
   * A slice's new rows written with {@code schema}: in a window not sliced, with the rows (compared
   * by value); in a window planned in slices, whose rows are not all held, with the count and a
   * digest (SHA-256) of their values in order.
   */
  @SuppressWarnings("ArrayRecordComponent") // compared by holdsTheSame
  record Written(
      org.apache.iceberg.Schema schema,
      List<Candidate> rows,
      long count,
      byte[] digest,
      List<DataFile> files)
      implements java.io.Serializable {
    static Written of(org.apache.iceberg.Schema schema, List<Candidate> rows, boolean sliced) {
      return new Written(
          schema, sliced ? null : rows, rows.size(), sliced ? digest(rows) : null, null);
    }

    Written withFiles(List<DataFile> written) {
      return new Written(schema, rows, count, digest, written);
    }

    boolean holdsTheSame(Written other) {
      if (!schema.sameSchema(other.schema) || count != other.count) {
        return false;
      }
      if (rows == null || other.rows == null) {
        return digest != null && Arrays.equals(digest, other.digest);
      }
      for (int i = 0; i < rows.size(); i++) {
        if (!Arrays.equals(rows.get(i).stored(), other.rows.get(i).stored())) {
          return false;
        }
      }
      return true;
    }

    /** A digest of the rows' stored values in order ({@link ValueCodec}'s encoding). */
    private static byte[] digest(List<Candidate> rows) {
      MessageDigest sha = KeyEncoding.digest();
      ValueCodec.Writer encoded = new ValueCodec.Writer();
      for (Candidate c : rows) {
        encoded.row(c.stored());
        if (encoded.size() >= 1 << 16) {
          sha.update(encoded.bytes());
          encoded = new ValueCodec.Writer();
        }
      }
      sha.update(encoded.bytes());
      return sha.digest();
    }
  }

  long folded() {
    return staged - rows;
  }

  long unchanged() {
    return rows - inserted - updated - deleted - skipped;
  }

  /** Row count changes of other windows (a key taken over or deleted). */
  Map<String, Long> rowDelta() {
    return rowDelta;
  }

  Map<String, Tombstone> tombstones() {
    return raised;
  }

  boolean writesData() {
    return !written.isEmpty() || !removed.isEmpty() || overwrite != null;
  }

  /**
   * Adds the plan's data files to {@code tx} (one overwrite, validated from the planned snapshot).
   */
  void apply(Transaction tx, String window) {
    if (!writesData()) {
      return;
    }
    OverwriteFiles o = tx.newOverwrite();
    if (overwrite != null) {
      o.overwriteByRowFilter(overwrite);
    }
    removed.forEach(o::deleteFile);
    written.forEach(o::addFile);
    if (fromSnapshot != null) {
      o.validateFromSnapshot(fromSnapshot)
          .conflictDetectionFilter(overwrite != null ? overwrite : Expressions.alwaysTrue())
          .validateNoConflictingData()
          .validateNoConflictingDeletes();
    }
    o.set("idem.window", window).commit();
  }

  /**
   * How many slices {@code rows} kept where they were read are cut into ({@link
   * Planner#planScattered}): one for each of the {@code parallelism} tasks the workers run at once,
   * but of {@link #sliceRows} rows at the least, and as many more as leave each the rows a window
   * holds in memory at the most ({@value StagedRows#MEMORY_ROWS}); at least one, at most {@value
   * StagedRows#SLICES} and {@link Workers#MOST_SLICES}.
   */
  static int scatteredSlices(long rows, int parallelism) {
    long most = Math.max(1, Integer.getInteger(StagedRows.MEMORY_ROWS, 1_000_000));
    long slices = Math.max(Math.min(parallelism, rows / sliceRows()), (rows + most - 1) / most);
    return (int)
        Math.max(1, Math.min(slices, Math.min(StagedRows.maxSlices(), Workers.MOST_SLICES)));
  }

  /** System property: the fewest rows of a slice the workers plan ({@link #sliceRows}). */
  static final String SLICE_ROWS = "idem.window.slice.rows";

  /**
   * The fewest rows of a slice the workers plan (but for a window of fewer rows): the system
   * property {@value #SLICE_ROWS}, else 100,000. The slices planned at once share the rows held in
   * memory, each writing its own file of new rows; a window held in memory is cut into slices of at
   * least as many rows, one for each task the workers run at once at most.
   */
  static int sliceRows() {
    int rows = Integer.getInteger(SLICE_ROWS, 100_000);
    if (rows < 1) {
      throw new ConfigException("-D" + SLICE_ROWS + " must be 1 or more, not " + rows);
    }
    return rows;
  }

  /** Computes a plan; one per call. */
  private static final class Planner {
    private final Pipeline pipeline;
    private final TableSchema schema;
    private final TableFiles files;
    private final Map<String, Tombstone> ledgerTombstones;
    private final String window;
    private final String windowOrder;
    private final Instant now;
    private final WindowPlan plan;
    private final NewRows earlier;

    /** What the slices planned so far found (its new rows' files discarded if the plan fails). */
    private final SlicePlanner.Tally total = new SlicePlanner.Tally();

    private SlicePlanner slicer;

    Planner(
        Pipeline pipeline,
        TableSchema schema,
        TableFiles files,
        Map<String, Tombstone> ledgerTombstones,
        String window,
        String windowOrder,
        Instant now,
        WindowPlan plan,
        NewRows earlier) {
      this.pipeline = pipeline;
      this.earlier = earlier;
      this.schema = schema;
      this.files = files;
      this.ledgerTombstones = ledgerTombstones;
      this.window = window;
      this.windowOrder = windowOrder;
      this.now = now;
      this.plan = plan;
    }

    /**
     * Plans the window's rows: those {@code staged} here, or, when not null, those {@code
     * scattered} where the workers' tasks read them (the window's every row then: it staged none
     * here).
     */
    void plan(StagedRows staged, Workers.Scattered scattered) {
      Target target = pipeline.target();
      WriteStrategy strategy = target.strategy();
      if (scattered != null) {
        if (staged.size() > 0 || target.key() == null) {
          throw new IllegalStateException(
              "rows kept where they were read are planned for a window with a key, without rows"
                  + " staged here");
        }
        planScattered(scattered);
      } else {
        planStaged(staged);
      }
      if (!slicer.keyed()) {
        return;
      }
      total.failure.rethrow();
      plan.addCounts(total);
      total.rowDelta.forEach((w, n) -> plan.rowDelta.merge(w, n, Long::sum));
      plan.raised.putAll(total.raised);
      if (strategy == WriteStrategy.APPEND || strategy == WriteStrategy.MERGE) {
        Map<DataFile, TableFiles.Drop> rewritten = new LinkedHashMap<>();
        for (SlicePlanner.Dropped d : total.drops.values()) {
          plan.removed.add(d.file());
          rewritten.put(d.file(), d.drop());
        }
        plan.written.addAll(files.rewrite(rewritten, window));
        finishCounts();
      } else {
        finishReplace(strategy == WriteStrategy.REPLACE_TABLE);
      }
    }

    /** The rows staged here, in as many slices as they are read in. */
    private void planStaged(StagedRows staged) {
      Target target = pipeline.target();
      WriteStrategy strategy = target.strategy();
      boolean keyed = target.key() != null;
      boolean elsewhere = keyed && files.runsTasksElsewhere();
      // slices the workers plan at once share the rows held in memory (on a local master, one
      // heap), but hold sliceRows() at the least (each writes a file of its new rows); a window
      // held in memory is cut into as many, when it holds enough rows for two
      int least = elsewhere ? sliceRows() : Integer.MAX_VALUE;
      int atOnce =
          elsewhere ? Math.max(1, Math.min(files.parallelism(), staged.memoryRows() / least)) : 1;
      int slices = staged.slices(atOnce, least);
      boolean table = strategy == WriteStrategy.REPLACE_TABLE;
      boolean onWorkers = elsewhere && slices > 1;
      if (slices > 1) {
        LOG.info(
            "window {}: {} rows {}, planned in {} slices of their keys {}",
            window,
            staged.size(),
            staged.spilled() ? "spilled to disk" : "held in memory",
            slices,
            onWorkers ? "by the workers" : "one after another here");
      }
      try (Workers.Shared<? extends Map<String, Tombstone>> tombstones = tombstones(onWorkers)) {
        slicer =
            new SlicePlanner(
                pipeline, schema, files.schema(), window, windowOrder, now, tombstones, slices);
        if (!slicer.keyed()) {
          replaceWithoutKey(staged, table);
        } else if (onWorkers) {
          planOnWorkers(staged, atOnce);
        } else {
          for (int slice = 0; slice < slices; slice++) {
            int s = slice;
            slicer.plan(s, each -> staged.forEach(s, each), files, earlierOf(s), total);
          }
        }
      } finally {
        take(total);
      }
    }

    /**
     * The ledger's tombstones sent once to each place that plans slices (read here in place, {@code
     * onWorkers} false), where a delete may raise one or one may keep a key deleted.
     */
    private Workers.Shared<? extends Map<String, Tombstone>> tombstones(boolean onWorkers) {
      Target target = pipeline.target();
      boolean tombstonesRead = target.deletes() != null && !target.orderBy().isEmpty();
      return !onWorkers
          ? inPlace(ledgerTombstones)
          : tombstonesRead
              ? files.share(new TreeMap<>(ledgerTombstones))
              : new Workers.Held<>(new TreeMap<>());
    }

    /**
     * The rows kept where the workers' tasks read them ({@link Workers.Scattered}): cut by key into
     * slices at the keys of a sample of them ({@link KeyCuts}), as many as the workers run tasks at
     * once, of {@link #sliceRows} rows at the least, and of the rows a window holds in memory at
     * the most, all planned at once by the workers where they bring each slice's rows together: no
     * row comes here. Each slice writes its new rows where it is planned, also when it is the only
     * one.
     */
    private void planScattered(Workers.Scattered rows) {
      KeyCuts cuts =
          KeyCuts.of(
              rows.sample(),
              scatteredSlices(rows.rows(), files.parallelism()),
              new KeyFold(pipeline, schema));
      int slices = cuts.slices();
      LOG.info(
          "window {}: {} rows kept where they were read, planned in {} slices of their keys by"
              + " the workers",
          window,
          rows.rows(),
          slices);
      try (Workers.Shared<? extends Map<String, Tombstone>> tombstones = tombstones(true)) {
        // planned as slices even when one: its new rows written where it is planned
        slicer =
            new SlicePlanner(
                pipeline,
                schema,
                files.schema(),
                window,
                windowOrder,
                now,
                tombstones,
                Math.max(2, slices));
        if (rows.rows() == 0) {
          return;
        }
        Table shipped = files.shipped();
        List<SlicePlanner.OnSlice> inputs = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
          String prefix = slicer.newFilePrefix(files, rows.sample().get(0).row());
          inputs.add(
              new SlicePlanner.OnSlice(slicer, shipped, files.schema(), s, prefix, earlierOf(s)));
          prefixes.add(prefix);
        }
        files
            .runWritingOnSlices(
                "idem window "
                    + window
                    + ": "
                    + rows.rows()
                    + " rows planned in "
                    + slices
                    + " slices where they were read",
                rows,
                cuts,
                inputs,
                prefixes,
                SlicePlanner.OnSlice::run,
                t -> t.newFiles,
                window)
            .forEach(total::add);
      } finally {
        take(total);
      }
    }

    /** A value read where it is: by a plan of slices on the planning thread. */
    private static <T> Workers.Shared<T> inPlace(T value) {
      return new Workers.Shared<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public T get() {
          return value;
        }

        @Override
        public void close() {}
      };
    }

    /** Takes the new rows' files of {@code t} into the plan. */
    private void take(SlicePlanner.Tally t) {
      plan.written.addAll(t.newFiles);
      plan.newFiles.addAll(t.newFiles);
      plan.newRows.bySlice().putAll(t.bySlice);
    }

    private Written earlierOf(int slice) {
      return earlier == null ? null : earlier.bySlice().get(slice);
    }

    /**
     * The slices of a spilled window planned by the destination's workers, {@code batch} at a time
     * (so the driver holds about the rows held in memory: {@code batch} slices'): each task's tally
     * added up in the slices' order. A slice's rows are shared with its task ({@link
     * Workers#share}: on Spark a broadcast variable, not a task of the slice's size).
     */
    private void planOnWorkers(StagedRows staged, int batch) {
      int slices = staged.slices();
      Table shipped = files.shipped();
      for (int from = 0; from < slices; from += batch) {
        List<Workers.Shared<byte[]>> shared = new ArrayList<>();
        try {
          planOnWorkers(staged, from, Math.min(slices, from + batch), shipped, shared);
        } finally {
          shared.forEach(Workers.Shared::close);
        }
      }
    }

    /** Slices {@code from} to {@code to - 1} planned by the workers at once. */
    private void planOnWorkers(
        StagedRows staged, int from, int to, Table shipped, List<Workers.Shared<byte[]>> shared) {
      List<SlicePlanner.Task> tasks = new ArrayList<>();
      List<String> prefixes = new ArrayList<>();
      long rows = 0;
      for (int s = from; s < to; s++) {
        int slice = s;
        Object[][] first = {null};
        int[] count = {0};
        byte[] encoded =
            SlicePlanner.Task.encode(
                each ->
                    staged.forEach(
                        slice,
                        (at, row) -> {
                          if (first[0] == null) {
                            first[0] = row;
                          }
                          each.accept(at, row);
                        }),
                count);
        if (count[0] == 0) {
          continue; // a slice without rows (its keys' table rows are counted after)
        }
        String prefix = slicer.newFilePrefix(files, first[0]);
        Workers.Shared<byte[]> sliceRows = files.share(encoded);
        shared.add(sliceRows);
        tasks.add(
            new SlicePlanner.Task(
                slicer,
                shipped,
                files.schema(),
                slice,
                sliceRows,
                count[0],
                prefix,
                earlierOf(slice),
                total.failure.found(),
                total.refused.found()));
        prefixes.add(prefix);
        rows += count[0];
      }
      if (tasks.isEmpty()) {
        return;
      }
      List<SlicePlanner.Tally> tallies =
          files.runWriting(
              "idem window "
                  + window
                  + ": "
                  + rows
                  + " rows planned in "
                  + tasks.size()
                  + " slices",
              tasks,
              prefixes,
              SlicePlanner.Task::run,
              t -> t.newFiles,
              window);
      tallies.forEach(total::add);
    }

    /**
     * replace_window/replace_table without a key: the window's (or table's) rows, as they come, a
     * slice at a time.
     */
    private void replaceWithoutKey(StagedRows staged, boolean table) {
      Expression scope = slicer.scope(table);
      long before = 0;
      for (DataFile f : files.files(scope)) {
        before += f.recordCount();
        plan.rowDelta.merge(TableSchema.window(partitionRecord(f)), -f.recordCount(), Long::sum);
      }
      plan.replaced = before;
      plan.overwrite = scope;
      for (int s = 0; s < staged.slices(); s++) {
        int slice = s;
        List<Candidate> rows = slicer.candidates(each -> staged.forEach(slice, each));
        plan.rows += rows.size();
        slicer.writeNew(s, rows, files, earlierOf(s), total);
      }
      plan.inserted = plan.rows;
      plan.targetRowsAfter = plan.rows;
      plan.rowDelta.remove(window);
    }

    private Record partitionRecord(DataFile f) {
      Record r = org.apache.iceberg.data.GenericRecord.create(schema.iceberg());
      r.setField(TableSchema.WINDOW, f.partition().get(0, String.class));
      return r;
    }

    /**
     * After the last slice of replace_window/replace_table: the refusal, else the overwrite of the
     * scope with the new rows when the window changes anything (else none, and no new rows), and
     * the rows the window holds after.
     */
    private void finishReplace(boolean table) {
      total.refused.rethrow();
      Expression scope = slicer.scope(table);
      // the rows in scope of keys the window does not hold are replaced: by the files' row counts
      // (a file's rows are of the window its partition names), less those of the window's keys
      Map<String, Long> others = new HashMap<>();
      long before = 0;
      for (DataFile f : files.files(scope)) {
        String owner = f.partition().get(0, String.class);
        others.merge(owner, f.recordCount(), Long::sum);
        before += window.equals(owner) ? f.recordCount() : 0;
      }
      total.keysRows.forEach((owner, rows) -> others.merge(owner, -rows, Long::sum));
      others.forEach(
          (owner, rows) -> {
            if (rows > 0) {
              plan.replaced += rows;
              plan.rowDelta.merge(owner, -rows, Long::sum);
            }
          });
      if (plan.inserted + plan.updated + plan.replaced > 0) {
        plan.overwrite = scope;
        if (total.unwritten != null) { // a window not sliced
          SlicePlanner.Tally written = new SlicePlanner.Tally();
          try {
            slicer.writeNew(0, total.unwritten, files, earlierOf(0), written);
          } finally {
            take(written);
          }
        }
      } else {
        // the slices wrote their rows (or took an earlier plan's files of them) before it was known
        // that nothing changes; a window not sliced writes them only now
        plan.written.removeAll(plan.newFiles);
        files.discard(own(plan.newFiles, earlier));
        plan.newFiles.clear();
        plan.newRows.bySlice().clear();
      }
      plan.targetRowsAfter = before + plan.rowDelta.getOrDefault(window, 0L);
      plan.rowDelta.remove(window);
    }

    private void finishCounts() {
      long before = 0;
      for (DataFile f : files.files(Expressions.equal(TableSchema.WINDOW, window))) {
        before += f.recordCount();
      }
      plan.targetRowsAfter = before + plan.rowDelta.getOrDefault(window, 0L);
      plan.rowDelta.remove(window);
    }
  }
}
