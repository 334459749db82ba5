package dev.idem.pipeline;

import dev.idem.ConfigException;

/**
 * How many bad records (unreadable, untypeable: dead-lettered) a window may hold and still load.
 * Past either limit the whole window fails: its data is rolled back, and the failure and its dead
 * letters are recorded in a second, fenced transaction. The default admits none, as Kafka Connect's
 * {@code errors.tolerance=none} or BigQuery's {@code max_bad_records=0}: a bad record is never
 * loaded around silently; raise the limits to load the good rows and keep the bad ones.
 *
 * @param maxRecords most bad records a window may hold
 * @param maxRatio most bad records as a fraction of the records read (null: no ratio limit)
 */
public record BadRecordPolicy(long maxRecords, Double maxRatio) {
  public static final BadRecordPolicy NONE_ALLOWED = new BadRecordPolicy(0, null);

  public BadRecordPolicy {
    if (maxRecords < 0) {
      throw new ConfigException("max_bad_records must be 0 or more, got " + maxRecords);
    }
    if (maxRatio != null && !(maxRatio >= 0 && maxRatio <= 1)) {
      throw new ConfigException("max_bad_ratio must be between 0 and 1, got " + maxRatio);
    }
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
