package dev.idem.spark;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What a reading task that keeps its rows makes ({@link FileTask#readKeeping}), kept where it ran
 * ({@link SparkScattered}): its records as the driver reads them ({@code records}: each staged
 * record as {@link dev.idem.source.SourceRecord#stagedElsewhere}), and the rows staged from them,
 * {@code count} of them, each the number of its record then its values ({@link
 * dev.idem.schema.ValueCodec}), with some of them ({@code sample}, to cut slices by).
 */
// the arrays are handed over as the codec made them
@SuppressWarnings("ArrayRecordComponent")
record KeptRows(FileRecords records, byte[] rows, int count, ArrayList<Object[]> sample)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What the driver is told: all but the rows, and their SHA-256. */
  Told told() {
    return new Told(records, count, sample, SparkScattered.sha256(rows));
  }

  /** What the driver is told of a task's kept rows ({@link #told}). */
  @SuppressWarnings("ArrayRecordComponent")
  record Told(FileRecords records, int count, ArrayList<Object[]> sample, byte[] digest)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }
}
