package dev.idem.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a window's load did. The conservation rule holds for every load, failed ones included:
 * {@code read = discarded + deadLettered + rolledBack + reshaped + folded + inserted + updated +
 * unchanged + skipped + deleted}, where {@code discarded} are records a row function dropped,
 * {@code deadLettered} records that could not be read, typed or staged, or that the target refused
 * on their own (kept in the dead letters), {@code reshaped} the staged rows minus the SQL
 * transform's output rows (an aggregation folds many into one; negative when a transform fans out),
 * {@code folded} in-window duplicates by key, {@code skipped} rows whose key already existed
 * (append), {@code unchanged} rows equal to or older than the target's (merge), and {@code deleted}
 * rows carrying the delete flag. {@code replaced} counts rows of the previous slice removed by
 * replace_window/replace_table (not part of the rule), {@code targetRows} the rows the target holds
 * for this window after the commit. {@code rolledBack} is nonzero only for a failed load: the
 * records it read that were neither discarded nor kept as dead letters, whose rows went with the
 * rolled-back transaction. {@code valuesNulled} counts values, not rows: the untypeable values set
 * to NULL under {@code on_bad_value: null} in rows that loaded (and are counted above as loaded);
 * it is not part of the rule.
 */
public record WindowCounts(
    long read,
    long discarded,
    long deadLettered,
    long reshaped,
    long folded,
    long inserted,
    long updated,
    long unchanged,
    long skipped,
    long deleted,
    long replaced,
    long targetRows,
    long rolledBack,
    long valuesNulled) {
  public static final WindowCounts NONE = new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Counts with no value nulled. */
  public WindowCounts(
      long read,
      long discarded,
      long deadLettered,
      long reshaped,
      long folded,
      long inserted,
      long updated,
      long unchanged,
      long skipped,
      long deleted,
      long replaced,
      long targetRows,
      long rolledBack) {
    this(
        read,
        discarded,
        deadLettered,
        reshaped,
        folded,
        inserted,
        updated,
        unchanged,
        skipped,
        deleted,
        replaced,
        targetRows,
        rolledBack,
        0);
  }

  /** The counts of a load that did not fail: nothing rolled back. */
  public WindowCounts(
      long read,
      long discarded,
      long deadLettered,
      long reshaped,
      long folded,
      long inserted,
      long updated,
      long unchanged,
      long skipped,
      long deleted,
      long replaced,
      long targetRows) {
    this(
        read,
        discarded,
        deadLettered,
        reshaped,
        folded,
        inserted,
        updated,
        unchanged,
        skipped,
        deleted,
        replaced,
        targetRows,
        0);
  }

  /**
   * The counts of a failed load: {@code read} records, of which {@code discarded} were dropped by a
   * row function and {@code deadLettered} are kept as dead letters; the rest were rolled back.
   * {@code targetRows} is what the target still holds for the window (an earlier load's rows).
   */
  public static WindowCounts failed(long read, long discarded, long deadLettered, long targetRows) {
    return new WindowCounts(
        read,
        discarded,
        deadLettered,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        targetRows,
        read - discarded - deadLettered);
  }

  /** The counts of a window found unchanged: nothing read into the target, nothing written. */
  public static WindowCounts unchanged(long targetRows) {
    return new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, targetRows);
  }

  /** These counts with the window's target rows now {@code n} (another window moved some). */
  public WindowCounts withTargetRows(long n) {
    return with(n, valuesNulled);
  }

  /** These counts with {@code n} values nulled. */
  public WindowCounts withValuesNulled(long n) {
    return with(targetRows, n);
  }

  private WindowCounts with(long targetRows, long valuesNulled) {
    return new WindowCounts(
        read,
        discarded,
        deadLettered,
        reshaped,
        folded,
        inserted,
        updated,
        unchanged,
        skipped,
        deleted,
        replaced,
        targetRows,
        rolledBack,
        valuesNulled);
  }

  public long written() {
    return inserted + updated + deleted;
  }

  /**
   * Every count by its name in JSON documents and results files ({@code read}, {@code
   * dead_lettered}, ..., {@code values_nulled}), in a stable order.
   */
  public Map<String, Long> byName() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("read", read);
    m.put("discarded", discarded);
    m.put("dead_lettered", deadLettered);
    m.put("rolled_back", rolledBack);
    m.put("reshaped", reshaped);
    m.put("folded", folded);
    m.put("inserted", inserted);
    m.put("updated", updated);
    m.put("unchanged", unchanged);
    m.put("skipped", skipped);
    m.put("deleted", deleted);
    m.put("replaced", replaced);
    m.put("target_rows", targetRows);
    m.put("values_nulled", valuesNulled);
    return m;
  }

  /** True when every record read is accounted for. */
  public boolean balanced() {
    return read
        == discarded
            + deadLettered
            + rolledBack
            + reshaped
            + folded
            + inserted
            + updated
            + unchanged
            + skipped
            + deleted;
  }
}
