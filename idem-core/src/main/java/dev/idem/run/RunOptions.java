package dev.idem.run;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Options of one run.
 *
 * @param force     reload windows even when unchanged
 * @param parallel  windows loaded at the same time (threads)
 * @param logicalDate the scheduler's logical date (data time, not wall time)
 * @param runId     the scheduler's run id, recorded in the ledger
 */
public record RunOptions(Reload reload, int parallel, LocalDate logicalDate, String runId) {
  public enum Reload { IF_CHANGED, FORCE }

  public RunOptions {
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(runId, "runId");
    if (parallel < 1) {
      throw new dev.idem.ConfigException("--parallel must be at least 1, got " + parallel);
    }
  }

  public static RunOptions defaults(String runId) {
    return new RunOptions(Reload.IF_CHANGED, 1, null, runId);
  }

  public boolean force() {
    return reload == Reload.FORCE;
  }

  public RunOptions forced() {
    return new RunOptions(Reload.FORCE, parallel, logicalDate, runId);
  }

  public RunOptions withParallel(int n) {
    return new RunOptions(reload, n, logicalDate, runId);
  }
}
