package dev.idem.pipeline;

import dev.idem.ConfigException;
import java.util.Map;
import java.util.Objects;

/**
 * How many bad records (unreadable, untypeable: dead-lettered) a window may hold and still load.
 * Past either limit the whole window fails: its data is rolled back, and the failure and its dead
 * letters are recorded in a second, fenced transaction. The default admits none, as Kafka Connect's
 * {@code errors.tolerance=none} or BigQuery's {@code max_bad_records=0}: a bad record is never
 * loaded around silently; raise the limits to load the good rows and keep the bad ones.
 *
 * <p>A value that cannot be typed costs its record by default; {@code onBadValue} (the pipeline's)
 * and {@code columns} (per column, overriding it) may instead null the value and keep the row.
 *
 * @param maxRecords most bad records a window may hold
 * @param maxRatio most bad records as a fraction of the records read (null: no ratio limit)
 * @param onBadValue what an untypeable value costs, for columns not in {@code columns}
 * @param columns the columns whose own policy differs from {@code onBadValue}
 */
public record BadRecordPolicy(
    long maxRecords, Double maxRatio, OnBadValue onBadValue, Map<String, OnBadValue> columns) {
  public static final BadRecordPolicy NONE_ALLOWED = new BadRecordPolicy(0, null);

  public BadRecordPolicy(long maxRecords, Double maxRatio) {
    this(maxRecords, maxRatio, OnBadValue.DEAD_LETTER, Map.of());
  }

  public BadRecordPolicy {
    Objects.requireNonNull(onBadValue, "onBadValue");
    columns = Map.copyOf(columns);
    if (maxRecords < 0) {
      throw new ConfigException("max_bad_records must be 0 or more, got " + maxRecords);
    }
    if (maxRatio != null && !(maxRatio >= 0 && maxRatio <= 1)) {
      throw new ConfigException("max_bad_ratio must be between 0 and 1, got " + maxRatio);
    }
  }

  /** The policy for an untypeable value of {@code column}: its own, else the pipeline's. */
  public OnBadValue onBadValue(String column) {
    return columns.getOrDefault(column, onBadValue);
  }

  /** True when some column's untypeable values are nulled rather than dead-lettered. */
  public boolean nullsValues() {
    return onBadValue == OnBadValue.NULL || columns.containsValue(OnBadValue.NULL);
  }

  /** Why a window with {@code bad} of {@code read} records fails, or null when it may load. */
  public String exceeded(long bad, long read, boolean complete) {
    if (bad > maxRecords) {
      return complete
          ? bad + " bad records, more than max_bad_records " + maxRecords
          : "more than max_bad_records "
              + maxRecords
              + " bad records (reading stopped at the first one past it)";
    }
    if (complete && maxRatio != null && read > 0 && (double) bad / read > maxRatio) {
      return bad + " bad records of " + read + ", more than max_bad_ratio " + maxRatio;
    }
    return null;
  }
}
