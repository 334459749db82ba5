package dev.idem.destination;

import dev.idem.context.RunServices;
import dev.idem.pipeline.Pipeline;
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

  /**
   * The tombstones the destination keeps for {@code pipeline}'s target (ADR 0007), each rendered as
   * one line without the time it was recorded, sorted; empty when it keeps none. They are state a
   * later window is loaded against: two runs that leave the same rows and different tombstones do
   * not converge.
   */
  List<String> tombstones(Pipeline pipeline);

  /** The same destination seen by another runner (its own owner identity, clock and faults). */
  Destination reopen(RunServices services);
}
