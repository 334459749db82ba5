package dev.idem.iceberg;

import dev.idem.destination.RowFold;
import dev.idem.iceberg.Versions.Candidate;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.schema.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A window's staged rows as {@link Candidate}s of the table's stored columns, and which of a key's
 * rows the window keeps ({@link #keep}, ADR 0003): the planner's fold, and the rule a reader may
 * fold parts of the window by first ({@link RowFold}, on an engine's tasks), comparing staged rows
 * in place, by the same columns in the same order.
 */
final class KeyFold implements RowFold {
  private static final long serialVersionUID = 1L;

  /** Where each stored column is among the staged ones; -1 when it is not staged. */
  private final int[] storedFromStaged;

  /** The key's, the order_by's and the other stored columns, by place among the stored ones. */
  final int[] keys;

  final int[] order;
  final int[] others;

  /** The same columns by place among the staged ones (-1: not staged, NULL). */
  private final int[] stagedKeys;

  private final int[] stagedOrder;
  private final int[] stagedOthers;

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
    stagedKeys = staged(keys);
    stagedOrder = staged(order);
    stagedOthers = staged(others);
    deletes = target.deletes();
    deleteColumn = deletes == null ? -1 : staged.indexOf(deletes.column());
  }

  private int[] staged(int[] storedPlaces) {
    int[] out = new int[storedPlaces.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = storedFromStaged[storedPlaces[i]];
    }
    return out;
  }

  /**
   * The value at {@code at} of a row, as the table will hold it ({@link Versions#stored}: a fold on
   * a reading task compares what the write compares); NULL where the row has none (a column staged
   * after it).
   */
  private static Object at(Object[] row, int at) {
    return at < 0 || at >= row.length ? null : Versions.stored(row[at]);
  }

  /** The stored values of a staged row (NULL for a column staged after it, by evolve). */
  Object[] stored(Object[] staged) {
    Object[] stored = new Object[storedFromStaged.length];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = at(staged, storedFromStaged[i]);
    }
    return stored;
  }

  /**
   * Compares staged rows by their keys, column by column, in the order of Iceberg's column
   * statistics ({@link Versions#compareAsIceberg}): equal keys compare equal.
   */
  int compareKeys(Object[] a, Object[] b) {
    for (int k : stagedKeys) {
      int c = Versions.compareAsIceberg(at(a, k), at(b, k));
      if (c != 0) {
        return c;
      }
    }
    return 0;
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
    return new Candidate(stored, isDelete(staged), keys, order, others);
  }

  private boolean isDelete(Object[] staged) {
    return deleteColumn >= 0 && Versions.isDelete(deletes, staged[deleteColumn]);
  }

  static List<Object> pick(Object[] values, int[] at) {
    List<Object> out = new ArrayList<>(at.length);
    for (int i : at) {
      out.add(values[i]);
    }
    return out;
  }

  /**
   * The order in which a window's rows of one key are kept, greatest first (negative: {@code a}
   * before {@code b}): the version (the {@code order_by} columns, at {@code orderAt}), then a
   * delete before an upsert, then the other columns (at {@code othersAt}), each compared column by
   * column, NULL least.
   */
  private static int keep(
      Object[] a, boolean aDelete, Object[] b, boolean bDelete, int[] orderAt, int[] othersAt) {
    int c = compare(a, b, orderAt);
    if (c == 0) {
      c = Boolean.compare(aDelete, bDelete);
    }
    if (c == 0) {
      c = compare(a, b, othersAt);
    }
    return -c;
  }

  private static int compare(Object[] a, Object[] b, int[] places) {
    for (int p : places) {
      int c = Versions.compare(at(a, p), at(b, p));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Whether {@code later} is kept instead of {@code kept}, of the same key and met before it. */
  boolean replaces(Candidate later, Candidate kept) {
    return keep(kept.stored(), kept.delete(), later.stored(), later.delete(), order, others) > 0;
  }

  /**
   * The key's value, or its values as a list: the values of a column are of one Java type, whose
   * equal values have equal text ({@link Versions#keyText}, the planner's key).
   */
  @Override
  public Object key(Object[] staged) {
    if (stagedKeys.length == 1) {
      return at(staged, stagedKeys[0]);
    }
    Object[] key = new Object[stagedKeys.length];
    for (int i = 0; i < key.length; i++) {
      key[i] = at(staged, stagedKeys[i]);
      if (key[i] == null) {
        return null;
      }
    }
    return Arrays.asList(key);
  }

  @Override
  public boolean replaces(Object[] later, Object[] kept) {
    return keep(kept, isDelete(kept), later, isDelete(later), stagedOrder, stagedOthers) > 0;
  }
}
