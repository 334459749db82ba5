package dev.idem.source;

import java.io.IOException;
import java.util.Optional;

/**
 * A forward-only stream of records. Memory use does not grow with the input: a reader holds at most
 * one record and the parser's buffer.
 */
public interface RecordReader extends AutoCloseable {
  /**
   * The next record, or {@code null} at the end. Malformed input throws {@link
   * dev.idem.DataException} naming its position.
   */
  SourceRecord next() throws IOException;

  /**
   * Where the records read so far end in the source, for sources that read a stream (a Kafka
   * partition's next offset): recorded in the ledger with the window. Empty for other sources.
   */
  default Optional<String> position() {
    return Optional.empty();
  }

  @Override
  void close() throws IOException;

  /** A reader of no records. */
  static RecordReader empty() {
    return new RecordReader() {
      @Override
      public SourceRecord next() {
        return null;
      }

      @Override
      public void close() {}
    };
  }
}
