package dev.idem.iceberg;

import dev.idem.context.RunContext;
import dev.idem.context.Workers;
import dev.idem.destination.CommitUnknownException;
import dev.idem.destination.Completion;
import dev.idem.destination.RowFold;
import dev.idem.destination.WindowWrite;
import dev.idem.iceberg.LedgerState.Entry;
import dev.idem.iceberg.LedgerState.Tombstone;
import dev.idem.iceberg.LedgerStore.Outcome;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DriftPolicy;
import dev.idem.window.Window;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateSchema;

/**
 * One window's write to an Iceberg table: rows are staged in memory, {@link #prepare} plans the
 * commit against the table's current snapshot and writes its data files (invisible until
 * committed), {@link #commit} lands them and the window's DONE ledger entry in one Iceberg commit.
 * If another change of the table landed in between, the plan is made again on the new snapshot and
 * ledger, under the same fence: the commit needs the window's entry still RUNNING under this
 * lease's token.
 */
final class IcebergWindowWrite implements WindowWrite {
  private final LedgerStore store;
  private final TableSchema schema;
  private final Pipeline pipeline;
  private final Lease lease;
  private final RunContext context;
  private final Clock clock;
  private final Workers workers;
  private final String windowOrder;
  private final StagedRows rows;

  /** The window's rows kept where an engine's tasks read them ({@link #addScattered}), or null. */
  private Workers.Scattered scattered;

  private final List<DeadLetter> letters = new ArrayList<>();
  private final Evolution evolution;
  private Completion completion;
  private WindowPlan plan;
  private boolean committed;

  IcebergWindowWrite(
      LedgerStore store,
      TableSchema schema,
      Pipeline pipeline,
      Lease lease,
      RunContext context,
      Clock clock,
      Workers workers) {
    this.store = store;
    this.schema = schema;
    this.pipeline = pipeline;
    this.lease = lease;
    this.context = context;
    this.clock = clock;
    this.workers = workers;
    this.windowOrder = Window.orderKey(pipeline.windows().kind(), lease.windowId());
    this.evolution = new Evolution(store.name());
    KeyFold keys = pipeline.target().key() == null ? null : new KeyFold(pipeline, schema);
    this.rows = StagedRows.of(keys == null ? null : keys::compareKeys);
  }

  @Override
  public Column addColumn(Column proposed) {
    return evolution.stage(proposed, store.table().schema());
  }

  @Override
  public void add(Object[] row) {
    rows.add(row);
  }

  /**
   * The planner's own fold, for a pipeline with a key whose staged columns cannot change during the
   * window (not {@code schema_drift: evolve}, which stages added columns).
   */
  @Override
  public Optional<RowFold> rowFold() {
    return pipeline.target().key() == null || pipeline.schemaDrift() == DriftPolicy.EVOLVE
        ? Optional.empty()
        : Optional.of(new KeyFold(pipeline, schema));
  }

  /**
   * Whether the window's rows may be kept where an engine's tasks read them and planned there: for
   * a write with a {@link #rowFold}, whose workers run tasks elsewhere.
   */
  @Override
  public boolean takesScattered() {
    return rowFold().isPresent() && TableFiles.elsewhere(workers);
  }

  @Override
  public void addScattered(Workers.Scattered kept) {
    if (!takesScattered() || scattered != null || rows.size() > 0) {
      kept.close();
      throw new IllegalStateException(
          "window " + lease.windowId() + ": rows kept elsewhere taken with other rows, or unasked");
    }
    scattered = kept;
  }

  @Override
  public void deadLetter(DeadLetter letter) {
    letters.add(letter);
  }

  @Override
  public WindowCounts prepare(Completion completion) {
    this.completion = completion;
    // the ledger, its pointer and the snapshot, of one metadata: the table object is shared with
    // the lease's renewals and other windows, which refresh it
    LedgerStore.Current current = store.current();
    plan = plan(current.state(), current.pointer(), current.snapshot());
    return counts(plan);
  }

  /**
   * The window's plan on the ledger {@code state} that {@code pointer} names, as of {@code
   * snapshot} (which a plan's commit must still find current, or it plans again).
   */
  private WindowPlan plan(LedgerState state, String pointer, Snapshot snapshot) {
    Schema written = evolvedSchema();
    WindowPlan next =
        WindowPlan.of(
            pipeline,
            pipeline.schemaDrift() == DriftPolicy.EVOLVE
                ? schema.evolved(written, evolution.added())
                : schema,
            new TableFiles(store.table(), written, workers),
            snapshot,
            pointer,
            state.tombstones(SlicePlanner.newer(pipeline.target())),
            lease.windowId(),
            windowOrder,
            rows,
            scattered,
            clock.instant(),
            plan == null ? null : plan.newRows());
    if (plan != null) { // the earlier plan's files, but for its new rows' file when reused
      new TableFiles(store.table()).discard(TableFiles.without(plan.written, next.written));
    }
    return next;
  }

  /**
   * The table's schema once this window's commit gave it the columns the input gained: as Iceberg
   * will assign their ids on the table's current metadata (the commit applies the same update on
   * the same metadata, or plans again).
   */
  private Schema evolvedSchema() {
    UpdateSchema update = store.table().updateSchema();
    return evolution.update(update, store.table().schema())
        ? update.apply()
        : store.table().schema();
  }

  /** Adds the schema update to {@code tx} (first, before the data), when there is one. */
  private void evolve(Transaction tx) {
    Schema current = store.table().schema();
    if (evolution.update(store.table().updateSchema(), current)) {
      UpdateSchema update = tx.updateSchema();
      evolution.update(update, current);
      update.commit();
    }
  }

  private WindowCounts counts(WindowPlan p) {
    return new WindowCounts(
        completion.read(),
        completion.discarded(),
        completion.deadLettered(),
        0,
        p.folded() + completion.foldedEarly(),
        p.inserted,
        p.updated,
        p.unchanged(),
        p.skipped,
        p.deleted,
        p.replaced,
        p.targetRowsAfter);
  }

  @Override
  public void commit() {
    String lettersFile =
        letters.isEmpty() ? null : IcebergLedger.writeLetters(store, lease, letters);
    try {
      commitLedgerAndData(lettersFile);
    } catch (CommitUnknownException e) {
      committed = true; // perhaps committed: its files must stay (the runner reads the ledger)
      throw e;
    }
    committed = true;
  }

  private void commitLedgerAndData(String lettersFile) {
    store.change(
        "commit of window " + lease.windowId(),
        (state, tx) -> {
          Map<String, Entry> windows = state.pipeline(pipeline.name()).windows;
          Entry e = windows.get(lease.windowId());
          if (!IcebergLedger.holds(e, lease)) {
            throw IcebergLedger.fenced(lease);
          }
          // planned again when idem's ledger moved (another window's commit, a lease's renewal),
          // the table's data did (a commit by another writer: a compaction, an append), or the
          // schema did
          String pointer = tx.table().properties().get(LedgerStore.POINTER);
          Snapshot snapshot = tx.table().currentSnapshot();
          if (plan == null
              || !Objects.equals(plan.pointer, pointer)
              || !Objects.equals(
                  plan.fromSnapshot(), snapshot == null ? null : snapshot.snapshotId())
              || !plan.writeSchema.sameSchema(evolvedSchema())) {
            plan = plan(state, pointer, snapshot);
          }
          evolve(tx);
          plan.apply(tx, lease.windowId());
          Map<String, Tombstone> tombstones =
              state.tombstones(SlicePlanner.newer(pipeline.target()));
          tombstones.putAll(plan.tombstones());
          forgetOldTombstones(tombstones, plan.plannedAt());
          plan.rowDelta().forEach((w, d) -> adjust(windows.get(w), d));
          Instant now = clock.instant();
          IcebergLedger.addLetters(
              e, lease.token(), lettersFile, letters.size(), now, context.runId());
          WindowState s = e.state;
          e.state =
              new WindowState(
                  pipeline.name(),
                  lease.windowId(),
                  WindowStatus.DONE,
                  completion.fingerprint(),
                  completion.definitionHash(),
                  counts(plan),
                  context.runId(),
                  pipeline.version(),
                  s.attempts(),
                  s.owner(),
                  lease.token(),
                  null,
                  s.startedAt(),
                  now,
                  null,
                  completion.schema(),
                  completion.sourcePosition());
          return Outcome.commit(null);
        });
  }

  /**
   * Tombstones recorded longer ago than {@code tombstone_retention} when the window was planned are
   * forgotten in its commit (they still applied to its rows, but hid none of its deletes: {@link
   * SlicePlanner#forgotten}).
   */
  private void forgetOldTombstones(Map<String, Tombstone> tombstones, Instant plannedAt) {
    Instant cutoff = SlicePlanner.forgetBefore(pipeline, plannedAt);
    if (cutoff != null) {
      tombstones.values().removeIf(t -> SlicePlanner.forgotten(t, cutoff));
    }
  }

  /** Another window's recorded row count follows the rows this window took from it. */
  private static void adjust(Entry e, long delta) {
    if (e == null || e.state.counts() == null) {
      return;
    }
    WindowCounts c = e.state.counts();
    e.state = e.state.withCounts(c.withTargetRows(Math.max(0, c.targetRows() + delta)));
  }

  @Override
  public void close() {
    try {
      if (!committed && plan != null) {
        new TableFiles(store.table()).discard(plan.written);
      }
    } finally {
      try {
        rows.close();
      } finally {
        if (scattered != null) {
          scattered.close();
        }
      }
    }
  }
}
