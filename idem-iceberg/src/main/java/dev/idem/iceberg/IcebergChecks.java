package dev.idem.iceberg;

import dev.idem.check.Check;
import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.check.Reconciliation;
import dev.idem.iceberg.LedgerStore.Outcome;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code idem check} on an Iceberg table: the rules of {@link Reconciliation}, with a window's rows
 * counted from the manifests (the table is partitioned by {@code _idem_window} and has no delete
 * files) and duplicate keys found by reading the key columns of every row. Results are recorded in
 * the table's ledger (one commit), where {@code growth} finds its baseline next time.
 */
final class IcebergChecks {
  private final LedgerStore store;
  private final IcebergLedger ledger;

  IcebergChecks(LedgerStore store, IcebergLedger ledger) {
    this.store = store;
    this.ledger = ledger;
  }

  List<CheckResult> check(
      Pipeline pipeline, Optional<Set<String>> windowIds, String runId, Instant now) {
    Target target = pipeline.target();
    Map<String, Long> rows = rowsPerWindow();
    Map<String, CheckResult> recorded = recorded(pipeline.name());
    List<CheckResult> results = new ArrayList<>();
    List<CheckResult> warnings = new ArrayList<>();
    for (WindowState s : ledger.states(pipeline.name())) {
      String w = s.windowId();
      if (windowIds.isPresent() && !windowIds.get().contains(w)) {
        continue;
      }
      if (s.status() == WindowStatus.RUNNING && !s.stale(now) && ledger.alive(s.owner())) {
        warnings.add(
            CheckResult.of(
                    w,
                    Check.TARGET_ROWS,
                    CheckStatus.WARN,
                    "being loaded by " + s.owner() + ": not checked")
                .recorded(runId, now));
        continue;
      }
      long actual = rows.getOrDefault(w, 0L);
      results.add(
          s.status() == WindowStatus.FAILED
              ? Reconciliation.targetRowsOfFailed(w, s.counts(), actual)
              : Reconciliation.targetRows(
                  w, target.strategy(), s.fingerprint(), s.counts(), actual));
      results.add(
          Reconciliation.growth(
              w,
              Optional.ofNullable(recorded.get(key(w, Check.GROWTH))),
              s.fingerprint(),
              actual,
              s.counts().targetRows()));
    }
    if (target.key() != null && !results.isEmpty()) {
      results.add(duplicateKeys(pipeline));
    }
    List<CheckResult> stamped = results.stream().map(r -> r.recorded(runId, now)).toList();
    store.change(
        "record of checks",
        (state, tx) -> {
          Map<String, CheckResult> checks = state.pipeline(pipeline.name()).checks;
          stamped.forEach(r -> checks.put(key(r.windowId(), r.check()), r));
          return Outcome.commit(null);
        });
    List<CheckResult> all = new ArrayList<>(stamped);
    all.addAll(warnings);
    all.sort(CheckResult.ORDER);
    return all;
  }

  List<CheckResult> checks(String pipeline) {
    List<CheckResult> all = new ArrayList<>(recorded(pipeline).values());
    all.sort(CheckResult.ORDER);
    return all;
  }

  private Map<String, CheckResult> recorded(String pipeline) {
    return store.read().pipeline(pipeline).checks;
  }

  private static String key(String window, Check check) {
    return window + "\u0000" + check.label();
  }

  private Map<String, Long> rowsPerWindow() {
    Map<String, Long> out = new HashMap<>();
    store.table().refresh();
    for (DataFile f : new TableFiles(store.table()).files(Expressions.alwaysTrue())) {
      out.merge(f.partition().get(0, String.class), f.recordCount(), Long::sum);
    }
    return out;
  }

  /** Reads every row's key: keys held by more than one row, with the first as a sample. */
  private CheckResult duplicateKeys(Pipeline pipeline) {
    List<String> key = pipeline.target().key().targetColumns();
    Table table = store.table();
    Map<List<Object>, List<String>> windows = new HashMap<>();
    List<String> columns = new ArrayList<>(key);
    columns.add(TableSchema.WINDOW);
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).select(columns).build()) {
      for (Record r : it) {
        List<Object> k = new ArrayList<>();
        key.forEach(c -> k.add(r.getField(c)));
        windows.computeIfAbsent(k, x -> new ArrayList<>()).add(TableSchema.window(r));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the keys of " + table.name(), e);
    }
    long keys = 0;
    long extra = 0;
    Map.Entry<List<Object>, List<String>> sample = null;
    for (Map.Entry<List<Object>, List<String>> e : windows.entrySet()) {
      if (e.getValue().size() > 1) {
        keys++;
        extra += e.getValue().size() - 1;
        if (sample == null) {
          sample = e;
        }
      }
    }
    if (sample == null) {
      return Reconciliation.noDuplicateKeys(table.name(), key);
    }
    List<String> held = new ArrayList<>(sample.getValue());
    held.sort(null);
    return Reconciliation.duplicateKeys(
        table.name(),
        key,
        keys,
        extra,
        sample.getKey().stream().map(String::valueOf).toList(),
        held.size(),
        held.get(0),
        held.get(held.size() - 1));
  }
}
