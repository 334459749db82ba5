package dev.idem;

/**
 * A failure that may succeed when retried: a lost connection, a serialization failure, a write
 * conflict, a lock held by another process. The runner retries these with bounded backoff.
 */
public class TransientException extends IdemException {
  public TransientException(String message, Throwable cause) {
    super(message, cause);
  }
}
