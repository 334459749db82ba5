package dev.idem.iceberg;

import static dev.idem.iceberg.KeyFold.pick;

import dev.idem.DataException;
import dev.idem.context.Workers;
import dev.idem.iceberg.LedgerState.Tombstone;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.iceberg.WindowPlan.Written;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueCodec;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BinaryOperator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The plan of one slice of a window's keys with a key ({@link WindowPlan}): its rows folded by key
 * (ADR 0003), its keys looked up in the table's files, the strategy's decisions, its new rows
 * written, and what it found added to a {@link Tally}. What the strategy decides for a key depends
 * on that key's rows alone, and all rows of a key are in one slice, so a slice can be planned
 * wherever its rows are: on the planning thread, or as a task of the destination's workers ({@link
 * Task}: an engine's executors), each slice with a tally of its own that the planning thread adds
 * up in the slices' order. Everything here is plain serializable data.
 */
final class SlicePlanner implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The most keys looked up by an {@code in} filter: Iceberg's column statistics take one of more
   * values as matching every file (its {@code InclusiveMetricsEvaluator}'s limit), so more keys are
   * looked up by their range.
   */
  private static final int IN_LIMIT = 200;

  private final KeyFold fold;
  private final int[] keys;
  private final int[] order;
  private final int[] others;
  private final WriteStrategy strategy;
  private final boolean deletes;
  private final List<String> keyColumns;
  private final String window;
  private final String windowOrder;
  private final Instant now;

  /**
   * The retention's cutoff: tombstones recorded before it are forgotten in this commit; or null.
   */
  private final Instant forgetBefore;

  private final String[] names;
  private final DataType[] types;
  private final List<Column> orderColumns;
  private final TableSchema.Layout layout;

  /** The ledger's tombstones, by key: shared once with the tasks that plan slices. */
  private final Workers.Shared<? extends Map<String, Tombstone>> tombstones;

  /** {@link #tombstones}' value, read once where the planner runs (a shared value may decode). */
  private transient Map<String, Tombstone> ledgerTombstones;

  /** How many slices the window is planned in ({@link StagedRows#slices}). */
  private final int slices;

  SlicePlanner(
      Pipeline pipeline,
      TableSchema schema,
      org.apache.iceberg.Schema written,
      String window,
      String windowOrder,
      Instant now,
      Workers.Shared<? extends Map<String, Tombstone>> tombstones,
      int slices) {
    Target target = pipeline.target();
    this.fold = new KeyFold(pipeline, schema);
    this.keys = fold.keys;
    this.order = fold.order;
    this.others = fold.others;
    this.strategy = target.strategy();
    this.deletes = target.deletes() != null;
    this.keyColumns = target.key() == null ? List.of() : List.copyOf(target.key().targetColumns());
    this.window = window;
    this.windowOrder = windowOrder;
    this.now = now;
    this.forgetBefore = forgetBefore(pipeline, now);
    this.names = schema.names();
    this.types = schema.stored().columns().stream().map(Column::type).toArray(DataType[]::new);
    List<Column> o = new ArrayList<>();
    for (int i : order) {
      o.add(schema.stored().column(i));
    }
    this.orderColumns = List.copyOf(o);
    this.layout = schema.layout(written);
    this.tombstones = tombstones;
    this.slices = slices;
  }

  /**
   * What slices of a window's plan found, added up over the slices in their order: the counts, the
   * other windows' row count changes, the tombstones raised, the table files' rows to drop, the
   * failures (of the earliest row), the new rows' files. Plain data, a task's output.
   */
  static final class Tally extends PlanCounts {
    private static final long serialVersionUID = 1L;
    final HashMap<String, Long> rowDelta = new HashMap<>();
    final LinkedHashMap<String, Tombstone> raised = new LinkedHashMap<>();

    /** The table's files the slices changed, by location, each with the rows it drops. */
    final LinkedHashMap<String, Dropped> drops = new LinkedHashMap<>();

    /** replace_*: the rows in scope of the slices' keys, by the window that holds them. */
    final HashMap<String, Long> keysRows = new HashMap<>();

    /** The failure of the first row (by the window's order) that cannot be a candidate. */
    final Earliest failure = new Earliest();

    /**
     * replace_window's refusal of its least key (by the key order slices are cut by) another window
     * holds, offered by slice number.
     */
    final Earliest refused = new Earliest();

    /** The files of the slices' new rows. */
    final ArrayList<DataFile> newFiles = new ArrayList<>();

    /** Each slice's new rows' files, with what they hold. */
    final HashMap<Integer, Written> bySlice = new HashMap<>();

    /**
     * Set on a task's tally when an earlier slice failed (fold only, for a failure of an earlier
     * row) or was refused (its keys, less than this slice's, refuse the window), as the planning
     * thread does.
     */
    boolean failedBefore;

    boolean refusedBefore;

    /** A window not sliced, replace_*: its winners, written once it is known the window changes. */
    transient List<Candidate> unwritten;

    /** Adds a later slice's tally. */
    void add(Tally t) {
      addCounts(t);
      t.rowDelta.forEach((w, n) -> rowDelta.merge(w, n, Long::sum));
      raised.putAll(t.raised);
      t.drops.values().forEach(this::drop);
      t.keysRows.forEach((w, n) -> keysRows.merge(w, n, Long::sum));
      failure.offer(t.failure);
      refused.offer(t.refused);
      newFiles.addAll(t.newFiles);
      bySlice.putAll(t.bySlice);
    }

    /**
     * Adds a table file's rows to drop: the file is written again without them, and without those
     * other slices drop, after the last slice.
     */
    void drop(Dropped d) {
      drops.merge(
          d.file().location(),
          d,
          (a, b) -> {
            BitSet both = (BitSet) a.drop().positions().clone();
            both.or(b.drop().positions());
            return new Dropped(a.file(), new TableFiles.Drop(both, a.drop().rows()));
          });
    }
  }

  /** A table file and the rows the window drops of it. */
  record Dropped(DataFile file, TableFiles.Drop drop) implements Serializable {}

  /**
   * Of the failures met in a window's slices, the one of the earliest row by the window's order.
   */
  static final class Earliest implements Serializable {
    private static final long serialVersionUID = 1L;
    private DataException failure;
    private long at;

    void offer(long at, DataException failure) {
      if (this.failure == null || at < this.at) {
        this.failure = failure;
        this.at = at;
      }
    }

    void offer(Earliest other) {
      if (other.failure != null) {
        offer(other.at, other.failure);
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

  /**
   * Plans slice {@code slice} of the window's rows against the table's files {@code files} (with
   * the earlier plan's files of the slice's new rows, if any: taken again when they hold the same
   * rows), adding what it finds to {@code t}.
   */
  void plan(int slice, Workers.SliceRows rows, TableFiles files, Written earlier, Tally t) {
    Map<String, Candidate> winners = fold(rows, t);
    t.rows += winners.size();
    if (winners.isEmpty() || t.failure.found() || t.failedBefore) {
      // a slice without keys (the table's rows of its keys are counted after), or a window that
      // fails: the later slices are only folded, for a failure of an earlier row
      return;
    }
    switch (strategy) {
      case APPEND, MERGE ->
          upsert(slice, winners, strategy == WriteStrategy.MERGE, files, earlier, t);
      case REPLACE_WINDOW, REPLACE_TABLE ->
          replaceByKey(slice, winners, strategy == WriteStrategy.REPLACE_TABLE, files, earlier, t);
    }
  }

  /** Whether the table has a key (else only {@link #candidates} and {@link #writeNew}). */
  boolean keyed() {
    return keys.length > 0;
  }

  /** A slice's rows as candidates, in the order they come (a table without a key). */
  List<Candidate> candidates(Workers.SliceRows rows) {
    List<Candidate> out = new ArrayList<>();
    rows.forEach((at, row) -> out.add(candidate(row)));
    return out;
  }

  /**
   * The start of the names of the files a task writes for a slice whose first row is {@code row}.
   */
  String newFilePrefix(TableFiles files, Object[] row) {
    return files.newFilePrefix(fold.stored(row), layout, window, windowOrder);
  }

  /** A staged row's candidate, or the failure of a row whose key has a NULL. */
  private Candidate candidate(Object[] s) {
    Object[] stored = fold.stored(s); // NULL for a column evolve added after the row was staged
    int nullKey = fold.nullKey(stored);
    if (nullKey >= 0) {
      throw new DataException(
          "window "
              + window
              + ": key column "
              + names[nullKey]
              + " is NULL in a row; every row needs a key");
    }
    return fold.candidate(s, stored);
  }

  /**
   * The slice's rows folded by key: its winners by key, in the order their keys first came (ADR
   * 0003; a slice of a spilled window comes by key).
   */
  private Map<String, Candidate> fold(Workers.SliceRows rows, Tally t) {
    Map<String, Candidate> winners = new LinkedHashMap<>();
    rows.forEach(
        (at, row) -> {
          Candidate c;
          try {
            c = candidate(row);
          } catch (DataException e) {
            if (slices == 1) {
              throw e;
            }
            t.failure.offer(at, e);
            return;
          }
          String key = Versions.keyText(c.key());
          Candidate kept = winners.get(key);
          if (kept == null) {
            winners.put(key, c);
          } else if (fold.replaces(c, kept)) {
            winners.put(key, c); // the key keeps its place
          }
        });
    return winners;
  }

  /**
   * Writes slice {@code slice}'s new rows; takes the earlier plan's files of that slice instead
   * when they hold the same rows.
   */
  void writeNew(int slice, List<Candidate> rows, TableFiles files, Written earlier, Tally t) {
    if (rows.isEmpty()) {
      return;
    }
    Written these = Written.of(files.schema(), rows, slices > 1);
    List<DataFile> written =
        earlier != null && earlier.holdsTheSame(these) ? earlier.files() : null;
    if (written == null) {
      written =
          files.write(rows.stream().map(Candidate::stored).toList(), layout, window, windowOrder);
    }
    t.newFiles.addAll(written);
    t.bySlice.put(slice, these.withFiles(written));
  }

  /** The rows replace_table (the table) or replace_window (the window's) replaces. */
  Expression scope(boolean table) {
    return table ? Expressions.alwaysTrue() : Expressions.equal(TableSchema.WINDOW, window);
  }

  /**
   * The table's rows of the winners' keys, by data file (in the files' order): of the files
   * Iceberg's column statistics say may hold one of them ({@link #keyFilter}), read by the
   * destination's workers ({@link TableFiles#lookup}); their values, or with {@code digests} only
   * whether they changed.
   */
  private List<TableFiles.Lookup> rowsOfKeys(
      TableFiles files, List<DataFile> candidates, Set<String> keyTexts, boolean digests) {
    return files.lookup(candidates, names, keys, keyTexts, digests, window);
  }

  /**
   * The filter by which Iceberg's column statistics find the files that may hold the winners' keys,
   * on the key's first column when it holds integers or strings (of a key of several columns, the
   * files that may hold the keys' first values): an {@code in} filter up to {@value #IN_LIMIT}
   * values, their range above; else none.
   */
  private Expression keyFilter(Map<String, Candidate> winners) {
    DataType type = types[keys[0]];
    DataType.Kind kind = type.kind();
    if ((kind != DataType.Kind.INTEGER && kind != DataType.Kind.STRING) || winners.isEmpty()) {
      return Expressions.alwaysTrue();
    }
    Set<Object> values = new LinkedHashSet<>();
    for (Candidate c : winners.values()) {
      values.add(TableSchema.toIceberg(kind, 0, c.stored()[keys[0]]));
    }
    String column = names[keys[0]];
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
  private void upsert(
      int slice,
      Map<String, Candidate> winners,
      boolean merge,
      TableFiles files,
      Written earlier,
      Tally t) {
    Set<String> matched = new HashSet<>(); // the winners' keys the table holds
    List<Candidate> out = new ArrayList<>();
    List<DataFile> candidates = files.files(keyFilter(winners));
    List<TableFiles.Lookup> found = rowsOfKeys(files, candidates, winners.keySet(), false);
    // the table's rows a newer version replaces or deletes are written again without them, once
    // the last slice is planned
    for (int i = 0; i < candidates.size(); i++) {
      BitSet dropped = new BitSet();
      for (TableFiles.Match m : found.get(i).matches()) {
        Object[] tv = m.values();
        String k = m.key();
        Candidate r = winners.get(k);
        matched.add(k);
        if (!merge) {
          t.skipped++;
          continue;
        }
        boolean newer =
            order.length == 0
                || Versions.newer(r.version(), windowOrder, pick(tv, order), m.windowOrder());
        String owner = m.window();
        // a row the table holds in a version at least as new stays
        if (newer && r.delete()) {
          t.deleted++;
          dropped.set(m.position());
          t.rowDelta.merge(owner, -1L, Long::sum);
          raise(k, r, t);
        } else if (newer
            && !blockedByTombstone(k, r, t)
            && (!Arrays.equals(pick(tv, others).toArray(), r.others().toArray())
                || !Objects.equals(pick(tv, order), r.version())
                || (order.length > 0 && !window.equals(owner)))) {
          t.updated++;
          dropped.set(m.position());
          t.rowDelta.merge(owner, -1L, Long::sum);
          t.rowDelta.merge(window, 1L, Long::sum);
          out.add(r);
        }
      }
      if (!dropped.isEmpty()) {
        t.drop(new Dropped(candidates.get(i), new TableFiles.Drop(dropped, found.get(i).rows())));
      }
    }
    for (Map.Entry<String, Candidate> u : winners.entrySet()) {
      if (matched.contains(u.getKey())) {
        continue;
      }
      Candidate r = u.getValue();
      if (r.delete()) {
        raise(u.getKey(), r, t);
      } else if (!merge || !blockedByTombstone(u.getKey(), r, t)) {
        t.inserted++;
        t.rowDelta.merge(window, 1L, Long::sum);
        out.add(r);
      }
    }
    writeNew(slice, out, files, earlier, t);
  }

  /** The cutoff of {@code pipeline}'s tombstone retention for a window planned at {@code now}. */
  static Instant forgetBefore(Pipeline pipeline, Instant now) {
    DeleteRule rule = pipeline.target().deletes();
    return rule == null || rule.retention() == null ? null : now.minus(rule.retention());
  }

  /**
   * Whether a commit forgetting the tombstones recorded before {@code cutoff} forgets {@code t}.
   */
  static boolean forgotten(Tombstone t, Instant cutoff) {
    return cutoff != null && t.recordedAt != null && t.recordedAt.isBefore(cutoff);
  }

  /**
   * Of two tombstones of one key, the newer (the versions, then the earlier window on a tie: the
   * order an upsert is compared with a tombstone in), for {@code target}'s {@code order_by}.
   */
  static BinaryOperator<Tombstone> newer(Target target) {
    Schema stored = target.storedColumns();
    List<Column> columns =
        target.orderBy().stream().map(c -> stored.column(stored.indexOf(c))).toList();
    return (a, b) -> {
      if (a.version == null
          || b.version == null
          || a.version.size() != columns.size()
          || b.version.size() != columns.size()) {
        // of a pipeline with another order_by (two pipelines of one table): not comparable here;
        // the one of the pipeline planning stays
        return b.version != null && b.version.size() == columns.size() ? b : a;
      }
      try {
        return Versions.newer(
                Values.parse(columns, b.version),
                b.windowOrder,
                Values.parse(columns, a.version),
                a.windowOrder)
            ? b
            : a;
      } catch (RuntimeException notOfTheseTypes) {
        return a;
      }
    };
  }

  /** The key's tombstone: raised by this window, else the ledger's. */
  private Tombstone tombstone(String key, Tally t) {
    if (t.raised.containsKey(key)) {
      return t.raised.get(key);
    }
    if (ledgerTombstones == null) {
      ledgerTombstones = tombstones.get();
    }
    return ledgerTombstones.get(key);
  }

  /** Whether the key's tombstone is at least as new as the upsert (it must not come back). */
  private boolean blockedByTombstone(String key, Candidate r, Tally t) {
    if (order.length == 0 || !deletes) {
      return false;
    }
    Tombstone ts = tombstone(key, t);
    return ts != null
        && !Versions.newer(
            r.version(), windowOrder, Values.parse(orderColumns, ts.version), ts.windowOrder);
  }

  /**
   * Remembers a delete's version as the key's tombstone when newer than the one it has, or when the
   * one it has is forgotten in this window's commit (past the retention: it must not hide this
   * delete, or nothing would remember it). The same delete again (this window's, of the same
   * version: a re-run) keeps the tombstone it raised, and the time it was recorded, from which the
   * retention counts (as the JDBC destinations do).
   */
  private void raise(String key, Candidate r, Tally t) {
    if (order.length == 0) {
      return;
    }
    Tombstone ts = tombstone(key, t);
    List<String> version = Values.text(r.version());
    if (ts != null && window.equals(ts.window) && version.equals(ts.version)) {
      return;
    }
    if (ts == null
        || forgotten(ts, forgetBefore)
        || Versions.newer(
            r.version(), windowOrder, Values.parse(orderColumns, ts.version), ts.windowOrder)) {
      Tombstone n = new Tombstone();
      n.version = version;
      n.window = window;
      n.windowOrder = windowOrder;
      n.recordedAt = now;
      t.raised.put(key, n);
    }
  }

  /**
   * replace_window/replace_table with a key, a slice of the window's keys: the difference, keys of
   * other windows refused. The table's files are read only where their column statistics say they
   * may hold one of the slice's keys (in scope, and for the refusal in other windows); the rows in
   * scope of other keys, which are replaced, are counted after the last slice from the files' row
   * counts.
   */
  private void replaceByKey(
      int slice,
      Map<String, Candidate> winners,
      boolean table,
      TableFiles files,
      Written earlier,
      Tally t) {
    Expression scope = scope(table);
    if (!table) {
      if (t.refused.found() || t.refusedBefore) {
        return; // an earlier slice's key, less than this slice's, refuses the window
      }
      Expression elsewhere = Expressions.notEqual(TableSchema.WINDOW, window);
      refuseOtherWindowsKeys(
          slice,
          winners,
          rowsOfKeys(
              files,
              files.files(Expressions.and(elsewhere, keyFilter(winners))),
              winners.keySet(),
              true),
          t);
      if (t.refused.found()) {
        return; // the window is refused
      }
    }
    Set<String> matched = new HashSet<>(); // the winners' keys the table holds
    // the files in scope that may hold the slice's keys; whether a row changed is all the window
    // needs of the table's rows: their digests
    List<DataFile> inScope = files.files(Expressions.and(scope, keyFilter(winners)));
    List<TableFiles.Lookup> found = rowsOfKeys(files, inScope, winners.keySet(), true);
    for (int i = 0; i < inScope.size(); i++) {
      for (TableFiles.Match m : found.get(i).matches()) {
        // null for a second row of a key
        Candidate r = matched.add(m.key()) ? winners.get(m.key()) : null;
        String owner = m.window();
        t.keysRows.merge(owner, 1L, Long::sum);
        if (r == null) { // a second row of the key
          t.replaced++;
          t.rowDelta.merge(owner, -1L, Long::sum);
        } else if (!Arrays.equals(m.digest(), TableFiles.digest(r.stored()))
            || !window.equals(owner)) {
          t.updated++;
          t.rowDelta.merge(owner, -1L, Long::sum);
          t.rowDelta.merge(window, 1L, Long::sum);
        }
      }
    }
    long inserted = (long) winners.size() - matched.size();
    t.inserted += inserted;
    t.rowDelta.merge(window, inserted, Long::sum);
    if (slices == 1) {
      t.unwritten = new ArrayList<>(winners.values()); // written once the window is known to change
    } else {
      writeNew(slice, new ArrayList<>(winners.values()), files, earlier, t);
    }
  }

  /**
   * Offers the refusal of the least of a slice's keys (in the key order slices are cut by) that
   * another window's rows hold (replace_window owns its keys): {@code found}, the rows of the
   * slice's keys in other windows' files. Slices are cut by key range, so the window's refusal
   * names the least such key over all slices (offered as the slice's number): the message depends
   * neither on how the table's rows are spread over files, nor on the window's slices, nor on the
   * order the window's rows came in (which a reader folding early changes: a Spark task's winners
   * come without their keys' earlier rows).
   */
  private void refuseOtherWindowsKeys(
      int slice, Map<String, Candidate> winners, List<TableFiles.Lookup> found, Tally t) {
    Map<String, TableFiles.Match> elsewhere = new HashMap<>();
    for (TableFiles.Lookup file : found) {
      for (TableFiles.Match m : file.matches()) {
        if (!window.equals(m.window())) {
          elsewhere.putIfAbsent(m.key(), m);
        }
      }
    }
    Map.Entry<String, Candidate> w = null; // of the slice's refused keys, the least
    for (Map.Entry<String, Candidate> e : winners.entrySet()) {
      if (elsewhere.containsKey(e.getKey())
          && (w == null
              || Versions.compareKeysAsIceberg(e.getValue().key(), w.getValue().key()) < 0)) {
        w = e;
      }
    }
    if (w == null) {
      return;
    }
    t.refused.offer(
        slice,
        new DataException(
            "window "
                + window
                + ": key "
                + keyColumns
                + "="
                + w.getValue().key()
                + " is already in window "
                + elsewhere.get(w.getKey()).window()
                + "; replace_window needs every key to belong to one window"));
  }

  /**
   * One slice planned where the destination's workers run it: its rows (staged, each with its place
   * in the window, {@link ValueCodec}-encoded), the table as the plan found it, the files of its
   * new rows named after {@code prefix} (so the driver can find what a failed or repeated attempt
   * wrote).
   */
  record Task(
      SlicePlanner planner,
      Table table,
      org.apache.iceberg.Schema schema,
      int slice,
      Workers.Shared<byte[]> rows,
      int count,
      String prefix,
      Written earlier,
      boolean failedBefore,
      boolean refusedBefore)
      implements Serializable {
    /** Encodes a slice's rows for a task: each row its place first. */
    static byte[] encode(Workers.SliceRows rows, int[] count) {
      ValueCodec.Writer out = new ValueCodec.Writer();
      rows.forEach(
          (at, row) -> {
            Object[] withAt = new Object[row.length + 1];
            withAt[0] = at;
            System.arraycopy(row, 0, withAt, 1, row.length);
            out.row(withAt);
            count[0]++;
          });
      return out.bytes();
    }

    Tally run() {
      Tally t = new Tally();
      t.failedBefore = failedBefore;
      t.refusedBefore = refusedBefore;
      planInTask(
          planner,
          table,
          schema,
          slice,
          prefix,
          earlier,
          each -> {
            ValueCodec.Reader in = new ValueCodec.Reader(rows.get());
            for (int i = 0; i < count; i++) {
              Object[] withAt = in.row();
              each.accept((Long) withAt[0], Arrays.copyOfRange(withAt, 1, withAt.length));
            }
          },
          t);
      return t;
    }
  }

  /**
   * Plans slice {@code slice} of {@code rows} where a task of the workers runs, its new rows' files
   * named after {@code prefix}, into {@code t}.
   */
  private static void planInTask(
      SlicePlanner planner,
      Table table,
      org.apache.iceberg.Schema schema,
      int slice,
      String prefix,
      Written earlier,
      Workers.SliceRows rows,
      Tally t) {
    planner.plan(slice, rows, TableFiles.inTask(table, schema, prefix), earlier, t);
  }

  /**
   * One slice of rows kept where the window's reading tasks ran ({@link Workers.Scattered}),
   * planned where the workers bring them together ({@link Workers#runOnSlices}): as {@link Task},
   * but the rows come from the workers, and every slice is planned at once.
   */
  record OnSlice(
      SlicePlanner planner,
      Table table,
      org.apache.iceberg.Schema schema,
      int slice,
      String prefix,
      Written earlier)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    Tally run(Workers.SliceRows rows) {
      Tally t = new Tally();
      planInTask(planner, table, schema, slice, prefix, earlier, rows, t);
      return t;
    }
  }
}
