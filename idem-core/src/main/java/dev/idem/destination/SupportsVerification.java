package dev.idem.destination;

import dev.idem.context.RunServices;
import java.util.List;

/**
 * A destination {@code idem verify} can check pipelines against: it can render a table's content
 * for snapshots and be opened again by another runner, as a second process would.
 */
public interface SupportsVerification {
  /**
   * Every row of {@code table}, each rendered as {@code column=value|...} in column order, sorted:
   * two tables hold the same multiset of rows exactly when their lists are equal.
   */
  List<String> tableRows(String table);

  /** The same destination seen by another runner (its own owner identity, clock and faults). */
  Destination reopen(RunServices services);
}
