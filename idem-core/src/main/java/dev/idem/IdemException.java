package dev.idem;

import java.util.Locale;

/**
 * Base of idem's unchecked exceptions. Its message is one line a person can act on: it names the
 * file, line, record, window or table and says what was expected. It never carries a secret.
 */
public class IdemException extends RuntimeException {
  public IdemException(String message) {
    super(message);
  }

  public IdemException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Throws a {@link ConfigException} with the formatted message unless the condition holds. */
  public static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new ConfigException(String.format(Locale.ROOT, format, args));
    }
  }
}
