package dev.idem.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What a {@link FileTask} sends back to the driver: the file's records of the window in order
 * ({@code count} of them, encoded by {@link RecordCodec}), what its reader observed of the file's
 * schema (whether the file lacks declared columns or has others; each declared column a value was
 * not of, {column, observed type}, with where the first was), and the error that stopped the
 * reader, if any.
 */
// the records array is handed over as the codec made it, read once by the driver
@SuppressWarnings("ArrayRecordComponent")
record FileRecords(
    String file,
    byte[] records,
    int count,
    boolean columnsDiffer,
    List<String[]> retyped,
    String firstChangeAt,
    String failure)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  RecordCodec.Reader reader() {
    return new RecordCodec.Reader(records, count);
  }
}
