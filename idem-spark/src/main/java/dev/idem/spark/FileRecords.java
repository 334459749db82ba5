package dev.idem.spark;

import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link FileTask} sends back to the driver: the file's records of the window in order, how
 * many schema changes its reader observed, and the error that stopped the reader, if any.
 */
record FileRecords(String file, List<Rec> records, int schemaChanges, String failure)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A {@link SourceRecord} as serializable fields; a bad value is {column, raw, reason}. */
  // the values array is handed over as the reader made it, as SourceRecord does
  @SuppressWarnings("ArrayRecordComponent")
  record Rec(Object[] values, String position, String raw, String problem, List<String[]> bad)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    SourceRecord record() {
      List<BadValue> badValues = new ArrayList<>();
      for (String[] b : bad) {
        badValues.add(new BadValue(b[0], b[1], b[2]));
      }
      return new SourceRecord(values, position, raw, problem, badValues);
    }
  }
}
