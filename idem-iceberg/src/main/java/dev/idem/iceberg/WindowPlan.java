package dev.idem.iceberg;

import static dev.idem.iceberg.KeyFold.pick;

import dev.idem.DataException;
import dev.idem.iceberg.LedgerState.PipelineLedger;
import dev.idem.iceberg.LedgerState.Tombstone;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.key.KeyEncoding;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ValueCodec;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * What one window's commit does to its table, computed against one snapshot and one ledger: the
 * window's rows folded by key (ADR 0003), the strategy applied copy-on-write (data files holding a
 * replaced or deleted row are rewritten without it), the counts, the tombstones and the other
 * windows' row counts that follow. Nothing is visible until {@link #apply} adds its files to a
 * transaction that commits.
 *
 * <p>A window whose rows were spilled ({@link StagedRows}) is planned a slice of its keys at a
 * time: each key is in one slice, and what the strategy decides for a key depends on that key's
 * rows alone, so the slices' decisions, counts and new rows add up to the whole window's. What does
 * not split by key is done once, after the last slice: a table file changed by several slices is
 * written again once without all their rows, the rows the window had before are counted, and {@code
 * replace_window}'s refusal names the window's first key (by its rows' order) another window holds.
 */
final class WindowPlan {
  final String pointer;
  final long staged;
  final org.apache.iceberg.Schema writeSchema;
  final List<DataFile> written = new ArrayList<>();
  private final List<DataFile> removed = new ArrayList<>();
  private final Map<String, Long> rowDelta = new HashMap<>();
  private final Map<String, Tombstone> raised = new LinkedHashMap<>();
  private Expression overwrite;
  private Long fromSnapshot;

  /** The files of the window's new rows, by slice, with what they hold. */
  private final NewRows newRows = new NewRows(new HashMap<>());

  /** The files of the window's new rows (not rewrites of the table's files). */
  private final List<DataFile> newFiles = new ArrayList<>();

  long rows;
  long inserted;
  long updated;
  long deleted;
  long skipped;
  long replaced;
  long targetRowsAfter;

  private WindowPlan(String pointer, long staged, org.apache.iceberg.Schema writeSchema) {
    this.pointer = pointer;
    this.staged = staged;
    this.writeSchema = writeSchema;
  }

  /** Plans the window against the table's current snapshot and {@code ledger}. */
  static WindowPlan of(
      Pipeline pipeline,
      TableSchema schema,
      TableFiles files,
      Snapshot snapshot,
      String pointer,
      PipelineLedger ledger,
      String window,
      String windowOrder,
      StagedRows staged,
      Instant now,
      NewRows earlier) {
    WindowPlan p = new WindowPlan(pointer, staged.size(), files.schema());
    p.fromSnapshot = snapshot == null ? null : snapshot.snapshotId();
    try {
      new Planner(pipeline, schema, files, ledger, window, windowOrder, now, p, earlier)
          .plan(staged);
    } catch (RuntimeException | Error e) {
      // the files it wrote before it failed (rewrites, then the new rows) will never be committed
      files.discard(own(p.written, earlier));
      throw e;
    }
    return p;
  }

  /**
   * Of a plan's files, those it wrote: an earlier plan's files it took are that plan's to discard.
   */
  private static List<DataFile> own(List<DataFile> files, NewRows earlier) {
    List<DataFile> own = new ArrayList<>(files);
    if (earlier != null) {
      own.removeAll(earlier.files());
    }
    return own;
  }

  /**
   * The data files this plan wrote the window's new rows to (not a rewrite of a table file), slice
   * by slice, with what they hold: when the window is planned again on a newer snapshot (another
   * commit landed first) and a slice's new rows come out the same, its files are used again instead
   * of writing the same rows twice. Null when the plan wrote none.
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

    /** The files slice {@code slice} wrote, when they hold what {@code other} holds; else null. */
    List<DataFile> filesFor(int slice, Written other) {
      Written mine = bySlice.get(slice);
      return mine != null && mine.holdsTheSame(other) ? mine.files() : null;
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
      List<DataFile> files) {
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

  /** Computes a plan; one per call. */
  private static final class Planner {
    private final Target target;
    private final TableSchema schema;
    private final TableFiles files;
    private final PipelineLedger ledger;
    private final String window;
    private final String windowOrder;
    private final Instant now;
    private final WindowPlan plan;
    private final KeyFold fold;
    private final int[] keys;
    private final int[] order;
    private final int[] others;
    private final NewRows earlier;

    /**
     * The most keys looked up by an {@code in} filter: Iceberg's column statistics take one of more
     * values as matching every file (its {@code InclusiveMetricsEvaluator}'s limit), so more keys
     * are looked up by their range.
     */
    private static final int IN_LIMIT = 200;

    /** How many slices the window is planned in ({@link StagedRows#slices}). */
    private int slices;

    /**
     * In a window planned in slices: the failure of the first row (by the window's order) that
     * cannot be a candidate (a NULL key); thrown after the last slice is folded, as the window not
     * sliced throws it at that row.
     */
    private final Earliest failure = new Earliest();

    /** replace_window's refusal of its first key (by its rows' order) another window holds. */
    private final Earliest refused = new Earliest();

    /** The table's files the slices changed, by location, each with the rows it drops. */
    private final Map<String, Dropped> drops = new LinkedHashMap<>();

    /** The one slice's winners replace_* writes once it knows whether the window changed. */
    private Collection<Candidate> unwritten;

    /** replace_*: the rows in scope of the window's keys, by the window that holds them. */
    private final Map<String, Long> keysRows = new HashMap<>();

    Planner(
        Pipeline pipeline,
        TableSchema schema,
        TableFiles files,
        PipelineLedger ledger,
        String window,
        String windowOrder,
        Instant now,
        WindowPlan plan,
        NewRows earlier) {
      this.earlier = earlier;
      this.target = pipeline.target();
      this.schema = schema;
      this.files = files;
      this.ledger = ledger;
      this.window = window;
      this.windowOrder = windowOrder;
      this.now = now;
      this.plan = plan;
      this.fold = new KeyFold(pipeline, schema);
      keys = fold.keys;
      order = fold.order;
      others = fold.others;
    }

    void plan(StagedRows staged) {
      WriteStrategy strategy = target.strategy();
      slices = staged.slices();
      if (keys.length == 0) {
        replaceWithoutKey(staged, strategy == WriteStrategy.REPLACE_TABLE);
        return;
      }
      boolean table = strategy == WriteStrategy.REPLACE_TABLE;
      for (int slice = 0; slice < slices; slice++) {
        Folded folded = fold(staged, slice);
        plan.rows += folded.winners().size();
        if (folded.winners().isEmpty() || failure.found()) {
          // a slice without keys (the table's rows of its keys are counted after), or a window
          // that fails: the later slices are only folded, for a failure of an earlier row
          continue;
        }
        switch (strategy) {
          case APPEND, MERGE -> upsert(slice, folded.winners(), strategy == WriteStrategy.MERGE);
          case REPLACE_WINDOW, REPLACE_TABLE -> replaceByKey(slice, folded, table);
        }
      }
      failure.rethrow();
      if (strategy == WriteStrategy.APPEND || strategy == WriteStrategy.MERGE) {
        Map<DataFile, TableFiles.Drop> rewritten = new LinkedHashMap<>();
        for (Dropped d : drops.values()) {
          plan.removed.add(d.file());
          rewritten.put(d.file(), d.drop());
        }
        plan.written.addAll(files.rewrite(rewritten, window));
        finishCounts();
      } else {
        finishReplace(table);
      }
    }

    private Candidate candidate(Object[] s) {
      Object[] stored = fold.stored(s); // NULL for a column evolve added after the row was staged
      int nullKey = fold.nullKey(stored);
      if (nullKey >= 0) {
        throw new DataException(
            "window "
                + window
                + ": key column "
                + schema.stored().column(nullKey).name()
                + " is NULL in a row; every row needs a key");
      }
      return fold.candidate(s, stored);
    }

    /**
     * A slice's winners by key, in the order their keys first came (ADR 0003; a slice of a spilled
     * window comes by key), and the place in the window of each key's first row, in the same order.
     */
    @SuppressWarnings("ArrayRecordComponent") // never compared: read where it is made
    private record Folded(Map<String, Candidate> winners, long[] firstRows) {}

    /** The staged rows of slice {@code s} folded by key. */
    private Folded fold(StagedRows staged, int s) {
      Map<String, Candidate> winners = new LinkedHashMap<>();
      long[][] firstRows = {new long[16]};
      staged.forEach(
          s,
          (at, row) -> {
            Candidate c;
            try {
              c = candidate(row);
            } catch (DataException e) {
              if (slices == 1) {
                throw e;
              }
              failure.offer(at, e);
              return;
            }
            String key = Versions.keyText(c.key());
            Candidate kept = winners.get(key);
            if (kept == null) {
              if (winners.size() == firstRows[0].length) {
                firstRows[0] = Arrays.copyOf(firstRows[0], winners.size() * 2);
              }
              firstRows[0][winners.size()] = at;
              winners.put(key, c);
            } else if (fold.replaces(c, kept)) {
              winners.put(key, c); // the key keeps its place
            }
          });
      return new Folded(winners, firstRows[0]);
    }

    /**
     * Writes slice {@code slice}'s new rows; takes the earlier plan's files of that slice instead
     * when they hold the same rows.
     */
    private void writeNew(int slice, List<Candidate> rows) {
      if (rows.isEmpty()) {
        return;
      }
      Written these = Written.of(files.schema(), rows, slices > 1);
      List<DataFile> written = earlier == null ? null : earlier.filesFor(slice, these);
      if (written == null) {
        written =
            files.write(
                rows.stream().map(Candidate::stored).toList(),
                schema.layout(files.schema()),
                window,
                windowOrder);
      }
      plan.written.addAll(written);
      plan.newFiles.addAll(written);
      plan.newRows.bySlice().put(slice, these.withFiles(written));
    }

    /**
     * replace_window/replace_table without a key: the window's (or table's) rows, as they come, a
     * slice at a time.
     */
    private void replaceWithoutKey(StagedRows staged, boolean table) {
      Expression scope = scope(table);
      long before = 0;
      for (DataFile f : files.files(scope)) {
        before += f.recordCount();
        plan.rowDelta.merge(TableSchema.window(partitionRecord(f)), -f.recordCount(), Long::sum);
      }
      plan.replaced = before;
      plan.overwrite = scope;
      for (int s = 0; s < slices; s++) {
        List<Candidate> rows = new ArrayList<>();
        staged.forEach(s, (at, row) -> rows.add(candidate(row)));
        plan.rows += rows.size();
        writeNew(s, rows);
      }
      plan.inserted = plan.rows;
      plan.targetRowsAfter = plan.rows;
      plan.rowDelta.remove(window);
    }

    /** The rows replace_table (the table) or replace_window (the window's) replaces. */
    private Expression scope(boolean table) {
      return table ? Expressions.alwaysTrue() : Expressions.equal(TableSchema.WINDOW, window);
    }

    private Record partitionRecord(DataFile f) {
      Record r = org.apache.iceberg.data.GenericRecord.create(schema.iceberg());
      r.setField(TableSchema.WINDOW, f.partition().get(0, String.class));
      return r;
    }

    /**
     * The table's rows of the winners' keys, by data file (in the files' order): of the files
     * Iceberg's column statistics say may hold one of them ({@link #keyFilter}), read by the
     * destination's workers ({@link TableFiles#lookup}); their values, or with {@code digests} only
     * whether they changed.
     */
    private List<TableFiles.Lookup> rowsOfKeys(
        List<DataFile> candidates, Set<String> keyTexts, boolean digests) {
      return files.lookup(candidates, schema.names(), keys, keyTexts, digests, window);
    }

    /**
     * The filter by which Iceberg's column statistics find the files that may hold the winners'
     * keys, on the key's first column when it holds integers or strings (of a key of several
     * columns, the files that may hold the keys' first values): an {@code in} filter up to {@value
     * #IN_LIMIT} values, their range above; else none.
     */
    private Expression keyFilter(Map<String, Candidate> winners) {
      DataType.Kind kind = schema.stored().column(keys[0]).type().kind();
      if ((kind != DataType.Kind.INTEGER && kind != DataType.Kind.STRING) || winners.isEmpty()) {
        return Expressions.alwaysTrue();
      }
      Set<Object> values = new LinkedHashSet<>();
      for (Candidate c : winners.values()) {
        values.add(schema.value(keys[0], c.stored()[keys[0]]));
      }
      String column = schema.stored().column(keys[0]).name();
      if (values.size() <= IN_LIMIT) {
        return Expressions.in(column, values);
      }
      // in the order of Iceberg's column statistics (for strings, by code point: not Java's)
      Object least = values.stream().min(Versions::compareAsIceberg).orElseThrow();
      Object greatest = values.stream().max(Versions::compareAsIceberg).orElseThrow();
      return Expressions.and(
          Expressions.greaterThanOrEqual(column, least),
          Expressions.lessThanOrEqual(column, greatest));
    }

    /** append (skip keys the table holds) and merge (ADR 0003, 0007). */
    private void upsert(int slice, Map<String, Candidate> winners, boolean merge) {
      Set<String> matched = new HashSet<>(); // the winners' keys the table holds
      List<Candidate> out = new ArrayList<>();
      List<DataFile> candidates = files.files(keyFilter(winners));
      List<TableFiles.Lookup> found = rowsOfKeys(candidates, winners.keySet(), false);
      // the table's rows a newer version replaces or deletes are written again without them, once
      // the last slice is planned
      for (int i = 0; i < candidates.size(); i++) {
        BitSet dropped = new BitSet();
        for (TableFiles.Match t : found.get(i).matches()) {
          Object[] tv = t.values();
          String k = t.key();
          Candidate r = winners.get(k);
          matched.add(k);
          if (!merge) {
            plan.skipped++;
            continue;
          }
          boolean newer =
              order.length == 0
                  || Versions.newer(r.version(), windowOrder, pick(tv, order), t.windowOrder());
          String owner = t.window();
          // a row the table holds in a version at least as new stays
          if (newer && r.delete()) {
            plan.deleted++;
            dropped.set(t.position());
            plan.rowDelta.merge(owner, -1L, Long::sum);
            raise(k, r);
          } else if (newer
              && !blockedByTombstone(k, r)
              && (!Arrays.equals(pick(tv, others).toArray(), r.others().toArray())
                  || !Objects.equals(pick(tv, order), r.version())
                  || (order.length > 0 && !window.equals(owner)))) {
            plan.updated++;
            dropped.set(t.position());
            plan.rowDelta.merge(owner, -1L, Long::sum);
            plan.rowDelta.merge(window, 1L, Long::sum);
            out.add(r);
          }
        }
        if (!dropped.isEmpty()) {
          drop(candidates.get(i), new TableFiles.Drop(dropped, found.get(i).rows()));
        }
      }
      for (Map.Entry<String, Candidate> u : winners.entrySet()) {
        if (matched.contains(u.getKey())) {
          continue;
        }
        Candidate r = u.getValue();
        if (r.delete()) {
          raise(u.getKey(), r);
        } else if (!merge || !blockedByTombstone(u.getKey(), r)) {
          plan.inserted++;
          plan.rowDelta.merge(window, 1L, Long::sum);
          out.add(r);
        }
      }
      writeNew(slice, out);
    }

    /**
     * Adds a table file's rows to drop: the file is written again without them, and without those
     * other slices drop, after the last slice.
     */
    private void drop(DataFile f, TableFiles.Drop drop) {
      drops.merge(
          f.location(),
          new Dropped(f, drop),
          (a, b) -> {
            BitSet both = (BitSet) a.drop().positions().clone();
            both.or(b.drop().positions());
            return new Dropped(a.file(), new TableFiles.Drop(both, a.drop().rows()));
          });
    }

    /** A table file and the rows the window drops of it. */
    private record Dropped(DataFile file, TableFiles.Drop drop) {}

    /**
     * Of the failures met in a window's slices, the one of the earliest row by the window's order.
     */
    private static final class Earliest {
      private DataException failure;
      private long at;

      void offer(long at, DataException failure) {
        if (this.failure == null || at < this.at) {
          this.failure = failure;
          this.at = at;
        }
      }

      boolean found() {
        return failure != null;
      }

      void rethrow() {
        if (failure != null) {
          throw failure;
        }
      }
    }

    /** Whether the key's tombstone is at least as new as the upsert (it must not come back). */
    private boolean blockedByTombstone(String key, Candidate r) {
      if (order.length == 0 || target.deletes() == null) {
        return false;
      }
      Tombstone t = raised().containsKey(key) ? raised().get(key) : ledger.tombstones.get(key);
      return t != null
          && !Versions.newer(
              r.version(), windowOrder, Values.parse(order(), t.version), t.windowOrder);
    }

    private Map<String, Tombstone> raised() {
      return plan.raised;
    }

    private List<Column> order() {
      List<Column> out = new ArrayList<>();
      for (int i : order) {
        out.add(schema.stored().column(i));
      }
      return out;
    }

    /** Remembers a delete's version as the key's tombstone when newer than the one it has. */
    private void raise(String key, Candidate r) {
      if (order.length == 0) {
        return;
      }
      Tombstone t = raised().containsKey(key) ? raised().get(key) : ledger.tombstones.get(key);
      if (t == null
          || Versions.newer(
              r.version(), windowOrder, Values.parse(order(), t.version), t.windowOrder)) {
        Tombstone n = new Tombstone();
        n.version = Values.text(r.version());
        n.window = window;
        n.windowOrder = windowOrder;
        n.recordedAt = now;
        raised().put(key, n);
      }
    }

    /**
     * replace_window/replace_table with a key, a slice of the window's keys: the difference, keys
     * of other windows refused. The table's files are read only where their column statistics say
     * they may hold one of the slice's keys (in scope, and for the refusal in other windows); the
     * rows in scope of other keys, which are replaced, are counted after the last slice from the
     * files' row counts ({@link #finishReplace}).
     */
    private void replaceByKey(int slice, Folded folded, boolean table) {
      Map<String, Candidate> winners = folded.winners();
      Expression scope = scope(table);
      if (!table) {
        Expression others = Expressions.notEqual(TableSchema.WINDOW, window);
        refuseOtherWindowsKeys(
            folded,
            rowsOfKeys(
                files.files(Expressions.and(others, keyFilter(winners))), winners.keySet(), true));
        if (refused.found()) {
          return; // the window is refused: the later slices look for an earlier key only
        }
      }
      Set<String> matched = new HashSet<>(); // the winners' keys the table holds
      // the files in scope that may hold the slice's keys; whether a row changed is all the window
      // needs of the table's rows: their digests
      List<DataFile> inScope = files.files(Expressions.and(scope, keyFilter(winners)));
      List<TableFiles.Lookup> found = rowsOfKeys(inScope, winners.keySet(), true);
      for (int i = 0; i < inScope.size(); i++) {
        for (TableFiles.Match t : found.get(i).matches()) {
          // null for a second row of a key
          Candidate r = matched.add(t.key()) ? winners.get(t.key()) : null;
          String owner = t.window();
          keysRows.merge(owner, 1L, Long::sum);
          if (r == null) { // a second row of the key
            plan.replaced++;
            plan.rowDelta.merge(owner, -1L, Long::sum);
          } else if (!Arrays.equals(t.digest(), TableFiles.digest(r.stored()))
              || !window.equals(owner)) {
            plan.updated++;
            plan.rowDelta.merge(owner, -1L, Long::sum);
            plan.rowDelta.merge(window, 1L, Long::sum);
          }
        }
      }
      long inserted = (long) winners.size() - matched.size();
      plan.inserted += inserted;
      plan.rowDelta.merge(window, inserted, Long::sum);
      if (slices == 1) {
        unwritten = winners.values(); // written once the window is known to change
      } else {
        writeNew(slice, new ArrayList<>(winners.values()));
      }
    }

    /**
     * After the last slice of replace_window/replace_table: the refusal, else the overwrite of the
     * scope with the new rows when the window changes anything (else none, and no new rows), and
     * the rows the window holds after.
     */
    private void finishReplace(boolean table) {
      refused.rethrow();
      Expression scope = scope(table);
      // the rows in scope of keys the window does not hold are replaced: by the files' row counts
      // (a file's rows are of the window its partition names), less those of the window's keys
      Map<String, Long> others = new HashMap<>();
      long before = 0;
      for (DataFile f : files.files(scope)) {
        String owner = f.partition().get(0, String.class);
        others.merge(owner, f.recordCount(), Long::sum);
        before += window.equals(owner) ? f.recordCount() : 0;
      }
      keysRows.forEach((owner, rows) -> others.merge(owner, -rows, Long::sum));
      others.forEach(
          (owner, rows) -> {
            if (rows > 0) {
              plan.replaced += rows;
              plan.rowDelta.merge(owner, -rows, Long::sum);
            }
          });
      if (plan.inserted + plan.updated + plan.replaced > 0) {
        plan.overwrite = scope;
        if (unwritten != null) {
          writeNew(0, new ArrayList<>(unwritten)); // a window not sliced
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

    /**
     * Offers the refusal of the first of a slice's keys (in the order its rows came) that another
     * window's rows hold (replace_window owns its keys): {@code found}, the rows of the slice's
     * keys in other windows' files. The window's refusal names the first of these over all slices,
     * whichever file holds it: the message does not depend on how the table's rows are spread over
     * files, nor on the window's slices.
     */
    private void refuseOtherWindowsKeys(Folded folded, List<TableFiles.Lookup> found) {
      Map<String, TableFiles.Match> elsewhere = new HashMap<>();
      for (TableFiles.Lookup file : found) {
        for (TableFiles.Match t : file.matches()) {
          if (!window.equals(t.window())) {
            elsewhere.putIfAbsent(t.key(), t);
          }
        }
      }
      int first = -1; // of the slice's refused keys, the one of the earliest row
      int i = 0;
      for (String key : folded.winners().keySet()) {
        if (elsewhere.containsKey(key)
            && (first < 0 || folded.firstRows()[i] < folded.firstRows()[first])) {
          first = i;
        }
        i++;
      }
      if (first < 0) {
        return;
      }
      Map.Entry<String, Candidate> w =
          folded.winners().entrySet().stream().skip(first).findFirst().orElseThrow();
      refused.offer(
          folded.firstRows()[first],
          new DataException(
              "window "
                  + window
                  + ": key "
                  + target.key().targetColumns()
                  + "="
                  + w.getValue().key()
                  + " is already in window "
                  + elsewhere.get(w.getKey()).window()
                  + "; replace_window needs every key to belong to one window"));
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
