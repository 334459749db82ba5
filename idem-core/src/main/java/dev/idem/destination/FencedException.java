package dev.idem.destination;

import dev.idem.IdemException;

/** The window's lease was taken over by another runner: this runner must not commit. */
public class FencedException extends IdemException {
  public FencedException(String message) {
    super(message);
  }
}
