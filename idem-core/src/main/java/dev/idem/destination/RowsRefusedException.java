package dev.idem.destination;

import dev.idem.DataException;
import dev.idem.ledger.DeadLetter;
import java.util.List;

/**
 * The destination refused staged rows when it prepared the window (a CHECK constraint of an
 * existing target table, say), and with the window's other bad records they are more than the
 * pipeline's limits allow: the window fails, rolled back, and the runner keeps these letters with
 * the failure as it keeps the letters of records it could not read.
 */
public final class RowsRefusedException extends DataException {
  private static final long serialVersionUID = 1L;
  private final String exceeded;
  private final transient List<DeadLetter> letters;

  /** {@code exceeded} says which limit was passed ({@code BadRecordPolicy.exceeded}). */
  public RowsRefusedException(String exceeded, List<DeadLetter> letters) {
    super(exceeded);
    this.exceeded = exceeded;
    this.letters = List.copyOf(letters);
  }

  public String exceeded() {
    return exceeded;
  }

  public List<DeadLetter> letters() {
    return letters;
  }
}
