package dev.idem.spark;

import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link FileTask} sends back to the driver: the file's records of the window in order, what
 * its reader observed of the file's schema (whether the file lacks declared columns or has others;
 * each declared column a value was not of, {column, observed type}, with where the first was), and
 * the error that stopped the reader, if any.
 */
record FileRecords(
    String file,
    List<Rec> records,
    boolean columnsDiffer,
    List<String[]> retyped,
    String firstChangeAt,
    String failure)
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
