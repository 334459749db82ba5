package dev.idem.iceberg;

import static dev.idem.iceberg.KeyFold.pick;

import dev.idem.DataException;
import dev.idem.iceberg.LedgerState.PipelineLedger;
import dev.idem.iceberg.LedgerState.Tombstone;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
  private NewRows newRows;
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
      List<Object[]> stagedRows,
      Instant now,
      NewRows earlier) {
    WindowPlan p = new WindowPlan(pointer, stagedRows.size(), files.schema());
    p.fromSnapshot = snapshot == null ? null : snapshot.snapshotId();
    try {
      new Planner(pipeline, schema, files, ledger, window, windowOrder, now, p, earlier)
          .plan(stagedRows);
    } catch (RuntimeException | Error e) {
      // the files it wrote before it failed (rewrites, then the new rows) will never be committed;
      // an earlier plan's files it took are that plan's to discard
      List<DataFile> own = new ArrayList<>(p.written);
      if (earlier != null) {
        own.removeAll(earlier.files());
      }
      files.discard(own);
      throw e;
    }
    return p;
  }

  /**
   * The data files this plan wrote the window's new rows to (not a rewrite of a table file), with
   * the rows and the schema it was written with: when the window is planned again on a newer
   * snapshot (another commit landed first) and its new rows come out the same, the files are used
   * again instead of writing the same rows twice. Null when the plan wrote none.
   */
  NewRows newRows() {
    return newRows;
  }

  /** Written files of new rows: equal rows (by value) written with an equal schema. */
  record NewRows(List<Candidate> rows, org.apache.iceberg.Schema schema, List<DataFile> files) {
    /** The files, when they hold exactly {@code other} written with {@code otherSchema}. */
    List<DataFile> filesFor(List<Candidate> other, org.apache.iceberg.Schema otherSchema) {
      if (!schema.sameSchema(otherSchema) || rows.size() != other.size()) {
        return null;
      }
      for (int i = 0; i < rows.size(); i++) {
        if (!Arrays.equals(rows.get(i).stored(), other.get(i).stored())) {
          return null;
        }
      }
      return files;
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

    void plan(List<Object[]> stagedRows) {
      WriteStrategy strategy = target.strategy();
      if (keys.length == 0) {
        List<Candidate> rows = new ArrayList<>();
        for (Object[] s : stagedRows) {
          rows.add(candidate(s));
        }
        replaceWithoutKey(rows, strategy == WriteStrategy.REPLACE_TABLE);
        return;
      }
      Map<String, Candidate> winners = fold(stagedRows);
      plan.rows = winners.size();
      switch (strategy) {
        case APPEND, MERGE -> upsert(winners, strategy == WriteStrategy.MERGE);
        case REPLACE_WINDOW -> replaceByKey(winners, false);
        case REPLACE_TABLE -> replaceByKey(winners, true);
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

    /** The staged rows' winners by key, in the order their keys first came (ADR 0003). */
    private Map<String, Candidate> fold(List<Object[]> stagedRows) {
      Map<String, Candidate> winners = new LinkedHashMap<>();
      for (Object[] s : stagedRows) {
        Candidate c = candidate(s);
        winners.merge(Versions.keyText(c.key()), c, (a, b) -> fold.replaces(b, a) ? b : a);
      }
      return winners;
    }

    /** Writes the window's new rows, or takes the earlier plan's file of the same rows. */
    private void writeNew(List<Candidate> rows) {
      if (rows.isEmpty()) {
        return;
      }
      List<DataFile> written = earlier == null ? null : earlier.filesFor(rows, files.schema());
      if (written == null) {
        written =
            files.write(
                rows.stream().map(Candidate::stored).toList(),
                schema.layout(files.schema()),
                window,
                windowOrder);
      }
      plan.written.addAll(written);
      plan.newRows = new NewRows(rows, files.schema(), written);
    }

    /** replace_window/replace_table without a key: the window's (or table's) rows, as they come. */
    private void replaceWithoutKey(List<Candidate> rows, boolean table) {
      plan.rows = rows.size();
      Expression scope =
          table ? Expressions.alwaysTrue() : Expressions.equal(TableSchema.WINDOW, window);
      long before = 0;
      for (DataFile f : files.files(scope)) {
        before += f.recordCount();
        plan.rowDelta.merge(TableSchema.window(partitionRecord(f)), -f.recordCount(), Long::sum);
      }
      plan.replaced = before;
      plan.inserted = rows.size();
      plan.overwrite = scope;
      writeNew(rows);
      plan.targetRowsAfter = rows.size();
      plan.rowDelta.remove(window);
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
     * keys: an {@code in} filter up to 10,000 keys, the keys' range above, on one integer or string
     * key column; else none.
     */
    private Expression keyFilter(Map<String, Candidate> winners) {
      DataType.Kind kind = keys.length == 1 ? schema.stored().column(keys[0]).type().kind() : null;
      if ((kind != DataType.Kind.INTEGER && kind != DataType.Kind.STRING) || winners.isEmpty()) {
        return Expressions.alwaysTrue();
      }
      List<Object> values = new ArrayList<>();
      for (Candidate c : winners.values()) {
        values.add(schema.value(keys[0], c.stored()[keys[0]]));
      }
      String column = schema.stored().column(keys[0]).name();
      if (values.size() <= 10_000) {
        return Expressions.in(column, values);
      }
      Object least = values.stream().min(Versions::compare).orElseThrow();
      Object greatest = values.stream().max(Versions::compare).orElseThrow();
      return Expressions.and(
          Expressions.greaterThanOrEqual(column, least),
          Expressions.lessThanOrEqual(column, greatest));
    }

    /** append (skip keys the table holds) and merge (ADR 0003, 0007). */
    private void upsert(Map<String, Candidate> winners, boolean merge) {
      Set<String> matched = new HashSet<>(); // the winners' keys the table holds
      List<Candidate> out = new ArrayList<>();
      List<DataFile> candidates = files.files(keyFilter(winners));
      List<TableFiles.Lookup> found = rowsOfKeys(candidates, winners.keySet(), false);
      // the table's rows a newer version replaces or deletes, by file: written again without them
      Map<DataFile, TableFiles.Drop> drops = new LinkedHashMap<>();
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
          drops.put(candidates.get(i), new TableFiles.Drop(dropped, found.get(i).rows()));
        }
      }
      plan.removed.addAll(drops.keySet());
      plan.written.addAll(files.rewrite(drops, window));
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
      writeNew(out);
      finishCounts();
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
     * replace_window/replace_table with a key: the difference, keys of other windows refused. Each
     * data file in scope is read once; other windows' files are read only where their column
     * statistics say they may hold one of the window's keys.
     */
    private void replaceByKey(Map<String, Candidate> winners, boolean table) {
      Expression scope =
          table ? Expressions.alwaysTrue() : Expressions.equal(TableSchema.WINDOW, window);
      if (!table) {
        Expression others = Expressions.notEqual(TableSchema.WINDOW, window);
        refuseOtherWindowsKeys(
            winners,
            rowsOfKeys(
                files.files(Expressions.and(others, keyFilter(winners))), winners.keySet(), true));
      }
      Set<String> matched = new HashSet<>(); // the winners' keys the table holds
      long before = 0;
      List<DataFile> inScope = files.files(scope);
      // whether a row changed is all the window needs of the table's rows: their digests
      List<TableFiles.Lookup> found = rowsOfKeys(inScope, winners.keySet(), true);
      for (int i = 0; i < inScope.size(); i++) {
        DataFile f = inScope.get(i);
        before += window.equals(f.partition().get(0, String.class)) ? f.recordCount() : 0;
        // the rows of keys the window does not hold are replaced
        found
            .get(i)
            .others()
            .forEach(
                (owner, rows) -> {
                  plan.replaced += rows;
                  plan.rowDelta.merge(owner, -rows, Long::sum);
                });
        for (TableFiles.Match t : found.get(i).matches()) {
          // null for a second row of a key
          Candidate r = matched.add(t.key()) ? winners.get(t.key()) : null;
          String owner = t.window();
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
      plan.inserted = (long) winners.size() - matched.size();
      plan.rowDelta.merge(window, plan.inserted, Long::sum);
      if (plan.inserted + plan.updated + plan.replaced > 0) {
        plan.overwrite = scope;
        writeNew(new ArrayList<>(winners.values()));
      }
      plan.targetRowsAfter = before + plan.rowDelta.getOrDefault(window, 0L);
      plan.rowDelta.remove(window);
    }

    /**
     * Refuses a window whose keys another window's rows hold (replace_window owns its keys): {@code
     * found}, the rows of the window's keys in other windows' files. The key named is the first of
     * the window's own (in the order its rows came), whichever file holds it: the message does not
     * depend on how the table's rows are spread over files.
     */
    private void refuseOtherWindowsKeys(
        Map<String, Candidate> winners, List<TableFiles.Lookup> found) {
      Map<String, TableFiles.Match> elsewhere = new HashMap<>();
      for (TableFiles.Lookup file : found) {
        for (TableFiles.Match t : file.matches()) {
          if (!window.equals(t.window())) {
            elsewhere.putIfAbsent(t.key(), t);
          }
        }
      }
      for (Map.Entry<String, Candidate> w : winners.entrySet()) {
        TableFiles.Match t = elsewhere.get(w.getKey());
        if (t != null) {
          throw new DataException(
              "window "
                  + window
                  + ": key "
                  + target.key().targetColumns()
                  + "="
                  + w.getValue().key()
                  + " is already in window "
                  + t.window()
                  + "; replace_window needs every key to belong to one window");
        }
      }
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
