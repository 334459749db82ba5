package dev.idem.iceberg;

import dev.idem.destination.RowFold;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.schema.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * A window's staged rows as {@link Candidate}s of the table's stored columns, and which of a key's
 * candidates the window keeps ({@link Versions#KEEP_ORDER}, ADR 0003): the planner's fold, and the
 * rule a reader may fold parts of the window by first ({@link RowFold}, on an engine's tasks).
 */
final class KeyFold implements RowFold {
  private static final long serialVersionUID = 1L;

  /** Where each stored column is among the staged ones; -1 when it is not staged. */
  private final int[] storedFromStaged;

  /** The key's, the order_by's and the other stored columns, by place among the stored ones. */
  final int[] keys;

  final int[] order;
  final int[] others;

  private final int deleteColumn;
  private final DeleteRule deletes;

  KeyFold(Pipeline pipeline, TableSchema schema) {
    Target target = pipeline.target();
    Schema stored = schema.stored();
    Schema staged = schema.staged(pipeline);
    storedFromStaged = new int[stored.size()];
    for (int i = 0; i < stored.size(); i++) {
      storedFromStaged[i] = staged.indexOf(stored.column(i).name());
    }
    List<String> keyColumns = target.key() == null ? List.of() : target.key().targetColumns();
    keys = keyColumns.stream().mapToInt(stored::indexOf).toArray();
    order = target.orderBy().stream().mapToInt(stored::indexOf).toArray();
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      String n = stored.column(i).name();
      if (!keyColumns.contains(n) && !target.orderBy().contains(n)) {
        rest.add(i);
      }
    }
    others = rest.stream().mapToInt(Integer::intValue).toArray();
    deletes = target.deletes();
    deleteColumn = deletes == null ? -1 : staged.indexOf(deletes.column());
  }

  /** The stored values of a staged row (NULL for a column staged after it, by evolve). */
  Object[] stored(Object[] staged) {
    Object[] stored = new Object[storedFromStaged.length];
    for (int i = 0; i < stored.length; i++) {
      int at = storedFromStaged[i];
      stored[i] = at < 0 || at >= staged.length ? null : staged[at];
    }
    return stored;
  }

  /** The place among the stored columns of a NULL key column of {@code stored}, or -1. */
  int nullKey(Object[] stored) {
    for (int k : keys) {
      if (stored[k] == null) {
        return k;
      }
    }
    return -1;
  }

  /** The candidate of a staged row whose stored values are {@code stored}. */
  Candidate candidate(Object[] staged, Object[] stored) {
    boolean delete = deleteColumn >= 0 && Versions.isDelete(deletes, staged[deleteColumn]);
    return new Candidate(
        pick(stored, keys), pick(stored, order), delete, pick(stored, others), stored, null);
  }

  static List<Object> pick(Object[] values, int[] at) {
    List<Object> out = new ArrayList<>(at.length);
    for (int i : at) {
      out.add(values[i]);
    }
    return out;
  }

  /** Whether {@code later} is kept instead of {@code kept}, of the same key and met before it. */
  static boolean replaces(Candidate later, Candidate kept) {
    return Versions.KEEP_ORDER.compare(kept, later) > 0;
  }

  @Override
  public String key(Object[] staged) {
    Object[] stored = stored(staged);
    return nullKey(stored) >= 0 ? null : Versions.keyText(pick(stored, keys));
  }

  @Override
  public boolean replaces(Object[] later, Object[] kept) {
    return replaces(candidate(later, stored(later)), candidate(kept, stored(kept)));
  }
}
