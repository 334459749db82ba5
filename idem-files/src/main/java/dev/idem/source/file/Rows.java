package dev.idem.source.file;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import java.io.Closeable;
import java.io.IOException;

/**
 * The records of one file, read forward. Values are typed lazily, so a reader that only needs the
 * window column does not parse (nor fail on) the others.
 *
 * <p>Opened with an {@link dev.idem.schema.ObservedSchema}, rows report the file's schema into it:
 * a CSV file its header when opened, JSON lines each record's keys when {@link #observe()} is
 * called for a record the reader returns (records of other windows are not observed).
 */
public interface Rows extends Closeable {
  /**
   * Moves to the next record; false at the end. A record with the wrong shape throws a {@link
   * dev.idem.DataException} after it has been consumed, so reading may go on with the next.
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

  /**
   * The current record's input for schema column {@code column} as text, for a value that could not
   * be typed; null when the input holds none.
   */
  String text(int column);

  /**
   * The type of the current record's input value for schema column {@code column}, which names what
   * a value that is not of the column's type is instead; null when the value is null or absent.
   */
  default DataType typeOf(int column) {
    return null;
  }

  /**
   * Reports the current record's own schema (a JSON object's keys) into the observation, if any.
   */
  default void observe() {}

  /** How many non-null values the current record holds in input columns that are not declared. */
  default long addedValues() {
    return 0;
  }

  /**
   * The current record's value of added column {@code index} (numbered by the observation), as
   * {@code column}'s type; null when absent or null. A value not of that type throws {@link
   * RetypedValue}.
   */
  default Object addedValue(int index, Column column) {
    return null;
  }
}
