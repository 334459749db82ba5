package dev.idem.source.file;

import java.io.Closeable;
import java.io.IOException;

/**
 * The records of one file, read forward. Values are typed lazily, so a reader that only needs
 * the window column does not parse (nor fail on) the others.
 */
interface Rows extends Closeable {
  /**
   * Moves to the next record; false at the end. A record with the wrong shape throws a
   * {@link dev.idem.DataException} after it has been consumed, so reading may go on with the next.
   */
  boolean next() throws IOException;

  /** {@code relative/path.csv:17}: the file and the line the current record starts on. */
  String position();

  /**
   * The current record's raw input as read (for dead letters); for a record the parser could not
   * read, the file's text from its line on (as much as a dead letter keeps).
   */
  String raw();

  /** The typed value of schema column {@code column} in the current record. */
  Object value(int column);
}
