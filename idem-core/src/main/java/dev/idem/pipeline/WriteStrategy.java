package dev.idem.pipeline;

import dev.idem.ConfigException;
import java.util.Locale;

/** How a window's rows are written to the target. Every strategy is idempotent. */
public enum WriteStrategy {
  /** Insert rows whose key is new, skip the rest. */
  APPEND,
  /** Upsert on the key; unchanged rows are not rewritten; optional delete flag. */
  MERGE,
  /** Delete the window's slice and insert the new one, in one transaction. */
  REPLACE_WINDOW,
  /**
   * Replace the whole table in one transaction; readers see the old or the new table, never a mix.
   */
  REPLACE_TABLE;

  public static WriteStrategy parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "unknown strategy '"
              + text
              + "': expected append, merge, replace_window or replace_table");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
