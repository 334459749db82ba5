package dev.idem.pipeline;

import dev.idem.context.RunContext;

/**
 * A Java transform applied to each record before it is staged (library users only). It must be
 * deterministic: the same record and context give the same result. Take time from {@link
 * RunContext#logicalDate()}, never from the wall clock.
 */
@FunctionalInterface
public interface RowFunction {
  /**
   * Returns the record's values (same schema as the input; the array may be modified in place), or
   * {@code null} to discard the record (counted as discarded in the ledger).
   */
  Object[] apply(Object[] values, RunContext context);
}
