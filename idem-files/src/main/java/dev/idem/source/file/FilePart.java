package dev.idem.source.file;

import java.io.Serializable;

/**
 * A run of consecutive blocks of one input file that can be read apart from the rest: blocks {@code
 * first} to {@code first + count - 1}, counted from 0. A block is one the format stores the file in
 * (a Parquet file's row groups; {@code blockBytes} 0), whose part's first row is the file's row
 * {@code rowsBefore + 1}; or, for a text format read by lines ({@code blockBytes} greater than 0),
 * {@code blockBytes} bytes of the file, the part reading the records whose first line starts in its
 * bytes ({@link TextPart}), {@code rowsBefore} the line breaks in the file's bytes before its first
 * byte, or {@link #NOT_COUNTED} (its reader counts them then). Either way the part's positions are
 * those of a whole file's read. {@link #WHOLE} is the whole file, the only part of a file that
 * cannot be split.
 */
public record FilePart(int first, int count, long rowsBefore, long blockBytes)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The whole file. */
  public static final FilePart WHOLE = new FilePart(0, Integer.MAX_VALUE, 0);

  /** A text part's {@code rowsBefore} before its line breaks are counted. */
  public static final long NOT_COUNTED = -1;

  public FilePart {
    if (first < 0
        || count < 1
        || blockBytes < 0
        || rowsBefore < (blockBytes > 0 ? NOT_COUNTED : 0)) {
      throw new IllegalArgumentException(
          "a file part is one block at least: first " + first + ", count " + count);
    }
  }

  /** Blocks the format stores the file in. */
  public FilePart(int first, int count, long rowsBefore) {
    this(first, count, rowsBefore, 0);
  }

  public boolean whole() {
    return equals(WHOLE);
  }

  /** Whether this is a part of a text file whose line breaks before it are not counted yet. */
  public boolean uncounted() {
    return blockBytes > 0 && rowsBefore == NOT_COUNTED;
  }

  /** This text part, {@code lineBreaks} line breaks before its first byte. */
  public FilePart counted(long lineBreaks) {
    return new FilePart(first, count, lineBreaks, blockBytes);
  }

  /** The first byte of a text part's blocks. */
  long from() {
    return first * blockBytes;
  }

  /** The byte after a text part's blocks (the file may end before). */
  long to() {
    long blocks = first + (long) count;
    return blocks > Long.MAX_VALUE / blockBytes ? Long.MAX_VALUE : blocks * blockBytes;
  }
}
