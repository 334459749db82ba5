package dev.idem.window;

/** How a pipeline's input is cut into windows. */
public enum WindowKind {
  /** One window per calendar day in a declared time zone, id {@code 2024-03-15}. */
  DAY,
  /** One window per UTC hour, id {@code 2024-03-15T07Z}: never ambiguous across DST changes. */
  HOUR,
  /** The whole source is one window, id {@code full}. */
  FULL,
  /** The whole source is one window whose id the caller gives ({@code --window}). */
  BATCH,
  /** One window per input file, id = the file's path relative to the glob's base. */
  FILE,
  /**
   * One window per stream partition and start offset, id {@code orders-0@1000}: it holds the
   * records from that offset to where the window's commit recorded its end in the ledger. The next
   * window of the partition starts there.
   */
  OFFSETS
}
