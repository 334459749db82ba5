package dev.idem.ledger;

/**
 * A value set to NULL under {@code on_bad_value: null} in a row that loaded: the window, where the
 * record was in the input ({@code orders.csv:17}, {@code topic-0@42}), the column, the input as
 * read (capped like a dead letter's, NUL replaced) and why it could not be typed. Kept in the
 * destination with the window's rows; a later load of the window replaces the window's nulled
 * values.
 */
public record NulledValue(
    String windowId, String position, String column, String raw, String reason) {
  /** Input kept per value; longer input is cut. */
  public static final int MAX_RAW_CHARS = 4096;

  public NulledValue {
    raw =
        raw == null
            ? null
            : storable(raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw);
    reason = storable(reason);
  }

  // NUL is refused by PostgreSQL text: a value must be storable whatever the input held
  private static String storable(String s) {
    return s.replace('\0', '\uFFFD');
  }
}
