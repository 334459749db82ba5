package dev.idem.run;

import dev.idem.DataException;
import dev.idem.ledger.DeadLetter;
import dev.idem.window.Window;
import java.util.List;

/** A window with more bad records than its pipeline allows: rolled back, its dead letters kept. */
final class BadRecords extends DataException {
  private static final long serialVersionUID = 1L;
  private final transient List<DeadLetter> letters;

  BadRecords(Window window, String exceeded, List<DeadLetter> letters) {
    super(
        "window "
            + window.id()
            + ": "
            + exceeded
            + "; nothing of it was loaded, its bad records are in the dead letters"
            + (letters.size() == BadRecordTally.KEPT_LETTERS
                ? " (the first " + BadRecordTally.KEPT_LETTERS + ")"
                : "")
            + " (idem dlq list); first: "
            + letters.get(0).position()
            + ": "
            + letters.get(0).reason());
    this.letters = List.copyOf(letters);
  }

  /**
   * A data error that stopped the window after some of its records were dead-lettered: those are
   * kept too.
   */
  BadRecords(DataException stopped, List<DeadLetter> letters) {
    super(
        stopped.getMessage()
            + "; nothing of the window was loaded, its "
            + letters.size()
            + " bad record"
            + (letters.size() == 1 ? " is" : "s are")
            + " in the dead letters (idem dlq list)",
        stopped);
    this.letters = List.copyOf(letters);
  }

  /** The dead letters written again with the failure, after the rollback. */
  List<DeadLetter> letters() {
    return letters;
  }
}
