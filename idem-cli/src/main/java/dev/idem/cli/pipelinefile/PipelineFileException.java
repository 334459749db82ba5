package dev.idem.cli.pipelinefile;

import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Location;

/**
 * A pipeline file that cannot be used as written. The message is one line that starts with {@code
 * file:line:} (or {@code --set path:} for an override) and says what was expected; it never
 * contains a value that came from {@code ${env:...}}. A connector's {@link ConfigProblem} reaches
 * the caller as one of these, worded as the connector wrote it.
 */
public final class PipelineFileException extends ConfigProblem {
  PipelineFileException(Location where, String message) {
    super(where, message);
  }

  PipelineFileException(Location where, String message, Throwable cause) {
    super(where, message, cause);
  }

  /** A connector's problem, as the file's. */
  PipelineFileException(ConfigProblem problem) {
    super(problem.where(), problem.detail(), problem);
  }
}
