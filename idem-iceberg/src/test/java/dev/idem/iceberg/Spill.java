package dev.idem.iceberg;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rows a window holds in memory before it spills and the most slices it is read in ({@link
 * StagedRows#of}), or the fewest rows of a slice the workers plan ({@link WindowPlan#sliceRows}),
 * set by a test and put back as they were after.
 */
final class Spill implements AutoCloseable {
  /** The properties set, with what they were before (null: not set). */
  private final Map<String, String> before = new LinkedHashMap<>();

  private Spill() {}

  /** Sets the rows held in memory and the most slices; closing puts back what they were. */
  static Spill set(int memoryRows, int slices) {
    return new Spill().with(StagedRows.MEMORY_ROWS, memoryRows).with(StagedRows.SLICES, slices);
  }

  /**
   * Sets the fewest rows of a slice the workers plan, which a window held in memory is cut into
   * when it holds two such slices at the least; closing puts back what it was.
   */
  static Spill sliceRows(int rows) {
    return new Spill().with(WindowPlan.SLICE_ROWS, rows);
  }

  private Spill with(String property, int value) {
    before.put(property, System.setProperty(property, String.valueOf(value)));
    return this;
  }

  @Override
  public void close() {
    before.forEach(
        (property, was) -> {
          if (was == null) {
            System.clearProperty(property);
          } else {
            System.setProperty(property, was);
          }
        });
  }
}
