package dev.idem;

import java.util.Optional;

/**
 * A pipeline definition or a command line that cannot be run as given (exit code 2). A builder's
 * error may name the {@link #field()} it is about ({@code target.key}, in the path of the
 * pipeline-file format), so a front end can point at the line that set it without reading the
 * message.
 */
public class ConfigException extends IdemException {
  private final String field;

  public ConfigException(String message) {
    this(null, message, null);
  }

  public ConfigException(String message, Throwable cause) {
    this(null, message, cause);
  }

  /**
   * An error about one field of the definition; {@code field} may be null when it is about none.
   */
  public ConfigException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  /**
   * The field this error is about, as a path such as {@code target.order_by}; empty when it is
   * about no one field.
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
