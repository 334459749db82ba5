package dev.idem.source;

/**
 * One record read from a source: its values typed by the declared schema, in schema order, and its
 * position in the input ({@code orders.csv:17}, an offset) for error messages. A record the source
 * could not read ({@link #bad}) has no values: it carries its raw input and the problem, and goes
 * to the dead letters.
 */
// the values array is handed over, not copied: this is the hot path, and no record is compared or
// hashed
@SuppressWarnings("ArrayRecordComponent")
public record SourceRecord(Object[] values, String position, String raw, String problem) {
  public SourceRecord(Object[] values, String position) {
    this(values, position, null, null);
  }

  /** A record that could not be parsed or typed: its raw input and why, for a person to act on. */
  public static SourceRecord bad(String position, String raw, String problem) {
    return new SourceRecord(null, position, raw == null ? "" : raw, problem);
  }

  public boolean isBad() {
    return problem != null;
  }
}
