package dev.idem.source;

import java.util.List;

/**
 * One record read from a source: its values typed by the declared schema, in schema order, and its
 * position in the input ({@code orders.csv:17}, an offset) for error messages. A record the source
 * could not read ({@link #bad}) has no values: it carries its raw input and the problem, and goes
 * to the dead letters. A record some of whose values could not be typed ({@link #withBadValues}) is
 * bad too, its problem naming every bad column, but it also has its values, null in place of the
 * bad ones, and each bad value with why: the runner may load it ({@link #nulled}) when the
 * pipeline's {@code on_bad_value} nulls them all.
 */
// the values array is handed over, not copied: this is the hot path, and no record is compared or
// hashed
@SuppressWarnings("ArrayRecordComponent")
public record SourceRecord(
    Object[] values, String position, String raw, String problem, List<BadValue> badValues) {
  public SourceRecord {
    badValues = badValues == null ? List.of() : List.copyOf(badValues);
  }

  public SourceRecord(Object[] values, String position, String raw, String problem) {
    this(values, position, raw, problem, List.of());
  }

  public SourceRecord(Object[] values, String position) {
    this(values, position, null, null);
  }

  /**
   * A bad record with values that could not be typed: {@code values} holds null in their place,
   * {@code badValues} (not empty) names each, and the problem is every bad value's reason, joined
   * by {@code ; }.
   */
  public static SourceRecord withBadValues(
      Object[] values, String position, String raw, List<BadValue> badValues) {
    if (badValues.isEmpty()) {
      throw new IllegalArgumentException("a record with bad values needs at least one");
    }
    StringBuilder problem = new StringBuilder();
    for (BadValue v : badValues) {
      problem.append(problem.length() == 0 ? "" : "; ").append(v.reason());
    }
    return new SourceRecord(
        values, position, raw == null ? "" : raw, problem.toString(), badValues);
  }

  /**
   * This record with its bad values loaded as NULL: a good record that still names them, to be
   * recorded as nulled.
   */
  public SourceRecord nulled() {
    if (values == null || badValues.isEmpty()) {
      throw new IllegalStateException("only a record with bad values can be nulled");
    }
    return new SourceRecord(values, position, raw, null, badValues);
  }

  /** A record that could not be parsed or typed: its raw input and why, for a person to act on. */
  public static SourceRecord bad(String position, String raw, String problem) {
    return new SourceRecord(null, position, raw == null ? "" : raw, problem);
  }

  /**
   * A record that a reader folding early ({@link FoldsEarly}) found to lose its key's fold to
   * another record of the window it returns: it stands for the record in the window's counts (read,
   * and folded) and names the values nulled in it ({@code nulledValues}, with its {@code position},
   * which may be null when there are none), which are recorded as for any staged record; it has no
   * values and is not staged.
   */
  public static SourceRecord folded(String position, List<BadValue> nulledValues) {
    return new SourceRecord(null, position, null, null, nulledValues);
  }

  /**
   * A record whose row a reader staged where it read it and keeps there ({@link ScattersRows}): it
   * stands for the record in the window's counts (read, staged) and names the values nulled in it,
   * as {@link #folded} does (its {@code position} may be null when there are none); its row is
   * planned where it is. Told from a folded record by its raw input, which is empty here (a folded
   * record has none) and never read.
   */
  public static SourceRecord stagedElsewhere(String position, List<BadValue> nulledValues) {
    return new SourceRecord(null, position, "", null, nulledValues);
  }

  public boolean isBad() {
    return problem != null;
  }

  /** Whether this record was folded by its reader ({@link #folded}). */
  public boolean isFolded() {
    return values == null && problem == null && raw == null;
  }

  /**
   * Whether this record's row was staged by its reader and is kept there ({@link
   * #stagedElsewhere}).
   */
  public boolean isStagedElsewhere() {
    return values == null && problem == null && raw != null;
  }
}
