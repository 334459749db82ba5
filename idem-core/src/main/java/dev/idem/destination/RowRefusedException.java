package dev.idem.destination;

import dev.idem.DataException;

/**
 * The destination refused one row before staging any part of it (a NUL character in PostgreSQL
 * text, say): the runner keeps the row in the dead letters and the window goes on, within the
 * pipeline's bad-record limits. A destination throws it only when its staging is left exactly as it
 * was before the row.
 */
public final class RowRefusedException extends DataException {
  private static final long serialVersionUID = 1L;

  public RowRefusedException(String message) {
    super(message);
  }
}
