package dev.idem.source.file;

import java.io.Serializable;

/**
 * A run of consecutive blocks of one input file that can be read apart from the rest: blocks {@code
 * first} to {@code first + count - 1}, counted from 0. A block is one the format stores the file in
 * (a Parquet file's row groups; {@code blockBytes} 0), whose part's first row is the file's row
 * {@code rowsBefore + 1}; or, for a text format read by lines ({@code blockBytes} greater than 0),
 * {@code blockBytes} bytes of the file, the part reading the records whose first line starts in its
 * bytes ({@link TextPart}). Either way the part's positions are those of a whole file's read.
 * {@link #WHOLE} is the whole file, the only part of a file that cannot be split.
 */
public record FilePart(int first, int count, long rowsBefore, long blockBytes)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The whole file. */
  public static final FilePart WHOLE = new FilePart(0, Integer.MAX_VALUE, 0);

  public FilePart {
    if (first < 0 || count < 1 || rowsBefore < 0 || blockBytes < 0) {
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

  /** The first byte of a text part's blocks. */
  long from() {
    return first * blockBytes;
  }

  /** The byte after a text part's blocks (the file may end before). */
  long to() {
    return (first + (long) count) * blockBytes;
  }
}
