package dev.idem.connector;

import dev.idem.ConfigException;

/**
 * A pipeline file that cannot be used as written, at a known place. The message is one line: {@code
 * file:line: section.key: what was expected} (or {@code --set path: ...} for an override); it never
 * contains a value that came from {@code ${env:...}}.
 */
public class ConfigProblem extends ConfigException {
  private final Location where;
  private final String detail;

  public ConfigProblem(Location where, String message) {
    this(where, message, null);
  }

  public ConfigProblem(Location where, String message, Throwable cause) {
    super(null, join(where.toString(), message), cause);
    this.where = where;
    this.detail = message;
  }

  /** Where the problem was written. */
  public Location where() {
    return where;
  }

  /** The message without its location. */
  public String detail() {
    return detail;
  }

  /** "--set target.table: target.table: ..." says the path twice; keep it once. */
  private static String join(String where, String message) {
    if (where.startsWith("--set ")
        && message.startsWith(where.substring("--set ".length()) + ": ")) {
      return where + message.substring(where.length() - "--set ".length());
    }
    return where + ": " + message;
  }
}
