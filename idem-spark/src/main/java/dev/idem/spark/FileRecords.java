package dev.idem.spark;

import dev.idem.schema.ObservedSchema;
import java.io.Serializable;

/**
 * What a {@link FileTask} sends back to the driver: the records of the window in its file (or part
 * of one) in order ({@code count} of them, encoded by {@link RecordCodec}, {@code folded} of them
 * folded early by the task), whether the driver must read the file again itself ({@code
 * readOnDriver}: its columns differ from the declared ones under a policy that needs the driver),
 * what its reader observed of the file's schema ({@code seen}), and the error that stopped the
 * reader, if any.
 */
// the records array is handed over as the codec made it, read once by the driver
@SuppressWarnings("ArrayRecordComponent")
record FileRecords(
    String file,
    byte[] records,
    int count,
    int folded,
    boolean readOnDriver,
    ObservedSchema.Seen seen,
    String failure)
    implements Serializable {
  private static final long serialVersionUID = 4L;

  RecordCodec.Reader reader() {
    return new RecordCodec.Reader(records, count);
  }
}
