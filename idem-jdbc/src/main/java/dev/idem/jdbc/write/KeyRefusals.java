package dev.idem.jdbc.write;

import dev.idem.DataException;
import java.util.List;

/** The two ways a window's keys fail it, worded once for every strategy and dialect. */
public final class KeyRefusals {
  private KeyRefusals() {}

  /** {@code rows} rows of window {@code window} have a NULL in key {@code keys}. */
  public static DataException nullKeys(String window, List<String> keys, long rows) {
    return new DataException(
        "window "
            + window
            + ": "
            + rows
            + " rows have a NULL in key "
            + keys
            + "; a key must identify a row");
  }

  /**
   * Key {@code key} of window {@code window} is already in window {@code holder} (replace_window).
   */
  public static DataException keyOfOtherWindow(
      String window, List<String> keys, List<String> key, String holder) {
    return new DataException(
        "window "
            + window
            + ": key "
            + keys
            + "="
            + key
            + " is already in window "
            + holder
            + "; replace_window needs every key to belong to one window");
  }
}
