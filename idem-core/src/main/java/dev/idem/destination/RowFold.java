package dev.idem.destination;

import java.io.Serializable;

/**
 * How a window write keeps one staged row per key (ADR 0003), as a rule a reader may apply to the
 * rows of part of a window before they are staged ({@link dev.idem.source.FoldsEarly}, an engine's
 * tasks): of a key's rows, the write keeps the first that no later row {@linkplain #replaces
 * replaces}. The rule must be such that folding any parts of a window's rows by it first, then the
 * rows left by the write, keeps what folding all of them keeps: {@code replaces} is the strict
 * order the write folds by (a later row replaces a kept one only when it is greater; of equal rows
 * the first met is kept). Serializable: it travels to the tasks.
 */
public interface RowFold extends Serializable {
  /**
   * The key of a staged row ({@code Pipeline.stagedColumns()} order), compared by {@code equals}
   * and {@code hashCode}: rows of equal keys are rows the write takes as of one key (two rows of
   * one key with unequal keys are only folded less early); null when the row takes no part in
   * folding early (a NULL key column, which the write refuses itself).
   */
  Object key(Object[] staged);

  /** Whether {@code later}, met after {@code kept} among rows of one key, is kept instead. */
  boolean replaces(Object[] later, Object[] kept);
}
