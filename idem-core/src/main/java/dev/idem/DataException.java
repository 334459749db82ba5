package dev.idem;

/**
 * Input that cannot be loaded as declared: a malformed or mis-typed record, a key that is not
 * unique where it must be. Never retried: retrying the same input gives the same error.
 */
public class DataException extends IdemException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
