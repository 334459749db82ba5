package dev.idem.cli.pipelinefile;

import dev.idem.ConfigException;

/**
 * A pipeline file that cannot be used as written. The message is one line that starts with
 * {@code file:line:} (or {@code --set path:} for an override) and says what was expected; it never
 * contains a value that came from {@code ${env:...}}.
 */
public final class PipelineFileException extends ConfigException {
  PipelineFileException(String where, String message) {
    super(where + ": " + message);
  }

  PipelineFileException(String where, String message, Throwable cause) {
    super(where + ": " + message, cause);
  }
}
