package dev.idem.iceberg;

/**
 * The rows a window holds in memory before it spills, and the most slices it is read in ({@link
 * StagedRows#of}), set by a test and put back as they were after.
 */
final class Spill implements AutoCloseable {
  private final String memoryRows;
  private final String slices;

  private Spill(String memoryRows, String slices) {
    this.memoryRows = memoryRows;
    this.slices = slices;
  }

  /** Sets both; closing puts back what they were. */
  static Spill set(int memoryRows, int slices) {
    return new Spill(
        System.setProperty(StagedRows.MEMORY_ROWS, String.valueOf(memoryRows)),
        System.setProperty(StagedRows.SLICES, String.valueOf(slices)));
  }

  @Override
  public void close() {
    restore(StagedRows.MEMORY_ROWS, memoryRows);
    restore(StagedRows.SLICES, slices);
  }

  private static void restore(String property, String before) {
    if (before == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, before);
    }
  }
}
