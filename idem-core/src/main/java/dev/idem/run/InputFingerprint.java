package dev.idem.run;

import dev.idem.TransientException;
import dev.idem.key.Fingerprint;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.util.Optional;

/**
 * A window's input fingerprint: the source's cheap one (a file's size and checksum, say) when it
 * has one, else a hash of its records read as a load reads them. A load hashes the records as it
 * stages them ({@link #add}); the skip decision reads them without loading ({@link #of}); both give
 * the same value for the same input.
 */
final class InputFingerprint {
  private InputFingerprint() {}

  /** The source's cheap fingerprint of the window, if it has one. */
  static Optional<String> cheap(Pipeline pipeline, Window window) {
    try {
      return pipeline.source().fingerprint(pipeline.windows(), window);
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The window's fingerprint without loading it; {@code recorded} is its ledger row (a done stream
   * window is read up to its recorded end).
   */
  static String of(Pipeline pipeline, Window window, Optional<WindowState> recorded) {
    Optional<String> cheap = cheap(pipeline, window);
    if (cheap.isPresent()) {
      return cheap.get();
    }
    try {
      Fingerprint fp = new Fingerprint();
      // read as a load reads it, so that the added columns evolve keeps are hashed too
      try (SchemaWatch schema = SchemaWatch.open(pipeline, window, recorded)) {
        RecordReader reader = schema.reader();
        for (SourceRecord r = reader.next(); r != null; r = reader.next()) {
          add(fp, r);
        }
      }
      return fp.value();
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  /** Adds a record: its values, or for a bad record, which has none, its place and raw input. */
  static void add(Fingerprint fp, SourceRecord r) {
    fp.add(r.isBad() ? new Object[] {r.position(), r.raw()} : r.values());
  }
}
