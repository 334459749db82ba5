package dev.idem.cli.pipelinefile;

import dev.idem.ConfigException;

/**
 * A pipeline file that cannot be used as written. The message is one line that starts with
 * {@code file:line:} (or {@code --set path:} for an override) and says what was expected; it never
 * contains a value that came from {@code ${env:...}}.
 */
public final class PipelineFileException extends ConfigException {
  PipelineFileException(String where, String message) {
    super(join(where, message));
  }

  PipelineFileException(String where, String message, Throwable cause) {
    super(join(where, message), cause);
  }

  /** "--set target.table: target.table: ..." says the path twice; keep it once. */
  private static String join(String where, String message) {
    if (where.startsWith("--set ") && message.startsWith(where.substring("--set ".length()) + ": ")) {
      return where + message.substring(where.length() - "--set ".length());
    }
    return where + ": " + message;
  }
}
