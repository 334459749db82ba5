package dev.idem.iceberg;

import java.io.Serializable;

/**
 * The counts of a window's plan, or of the slices planned so far ({@link SlicePlanner.Tally}, a
 * task's output: hence serializable): rows planned (the winners), and of those inserted, updated,
 * deleted, skipped; table rows replaced.
 */
class PlanCounts implements Serializable {
  private static final long serialVersionUID = 1L;
  long rows;
  long inserted;
  long updated;
  long deleted;
  long skipped;
  long replaced;

  /** Adds {@code other}'s counts to these. */
  void addCounts(PlanCounts other) {
    rows += other.rows;
    inserted += other.inserted;
    updated += other.updated;
    deleted += other.deleted;
    skipped += other.skipped;
    replaced += other.replaced;
  }
}
