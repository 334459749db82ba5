package dev.idem;

/** A pipeline definition or a command line that cannot be run as given (exit code 2). */
public class ConfigException extends IdemException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
