package dev.idem.destination;

import dev.idem.check.CheckResult;
import dev.idem.pipeline.Pipeline;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A destination that reconciles its target with its ledger ({@code idem check}): per window, the
 * rows the target holds against the ledger and the strategy's relation to the rows read ({@code
 * target_rows}), growth of a window's rows without new input ({@code growth}); table-wide, keys
 * held by more than one row, whoever wrote them ({@code duplicate_keys}). The rules are {@link
 * dev.idem.check.Reconciliation}'s. Each result replaces the previous one of the same window and
 * check in the ledger, where {@code idem status} reads them; a destination also records the cheap
 * checks of a window when the window commits.
 */
public interface SupportsChecks {
  /**
   * Runs every check on the pipeline's windows in the ledger ({@code windowIds} of them, or all
   * when empty), records the results and returns them in {@link CheckResult#ORDER}. A window
   * another runner is loading is not checked: it is returned as a warning and nothing is recorded
   * for it. Never creates or alters the target table.
   */
  List<CheckResult> check(Pipeline pipeline, Optional<Set<String>> windowIds, String runId);

  /**
   * The checks of {@link #check}, computed on the destination as it is and recorded nowhere: a
   * read-only spot-check ({@code idem serve}), which works on a destination opened read-only.
   * Default: refuses, for a destination that can only check by recording.
   */
  default List<CheckResult> spotCheck(Pipeline pipeline, Optional<Set<String>> windowIds) {
    throw new dev.idem.IdemException(
        "this destination cannot run its checks without recording them: use idem check");
  }

  /** The latest recorded result of each check of the pipeline, in {@link CheckResult#ORDER}. */
  List<CheckResult> checks(String pipeline);
}
