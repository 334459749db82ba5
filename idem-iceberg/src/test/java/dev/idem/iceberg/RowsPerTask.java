package dev.idem.iceberg;

/**
 * The fewest rows a writing task is given ({@link TableFiles#ROWS_PER_TASK}), set by a test and put
 * back as it was after.
 */
final class RowsPerTask {
  private RowsPerTask() {}

  /** Sets the property; what it was before (null: unset), for {@link #restore}. */
  static String set(int rows) {
    return System.setProperty(TableFiles.ROWS_PER_TASK, String.valueOf(rows));
  }

  /** Puts back what {@link #set} returned. */
  static void restore(String before) {
    if (before == null) {
      System.clearProperty(TableFiles.ROWS_PER_TASK);
    } else {
      System.setProperty(TableFiles.ROWS_PER_TASK, before);
    }
  }
}
