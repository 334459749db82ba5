package dev.idem.destination;

import dev.idem.IdemException;

/**
 * The commit was sent but its outcome is unknown. Never clean up after this: the outcome is
 * resolved by reading the ledger (or the transaction id), never by guessing.
 */
public class CommitUnknownException extends IdemException {
  public CommitUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
