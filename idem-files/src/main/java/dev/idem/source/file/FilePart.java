package dev.idem.source.file;

import java.io.Serializable;

/**
 * A run of consecutive blocks of one input file (a Parquet file's row groups) that can be read
 * apart from the rest: blocks {@code first} to {@code first + count - 1}, counted from 0, whose
 * first row is the file's row {@code rowsBefore + 1}, so that positions are those of a whole file's
 * read. {@link #WHOLE} is the whole file, the only part of a file that cannot be split.
 */
public record FilePart(int first, int count, long rowsBefore) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The whole file. */
  public static final FilePart WHOLE = new FilePart(0, Integer.MAX_VALUE, 0);

  public FilePart {
    if (first < 0 || count < 1 || rowsBefore < 0) {
      throw new IllegalArgumentException(
          "a file part is one block at least: first " + first + ", count " + count);
    }
  }

  public boolean whole() {
    return equals(WHOLE);
  }
}
