package dev.idem.run;

import dev.idem.ConfigException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Options of one run.
 *
 * @param reload whether unchanged windows are reloaded ({@link Reload#FORCE}) or skipped
 * @param parallel windows loaded at the same time (threads)
 * @param logicalDate the scheduler's logical date (data time, not wall time)
 * @param runId the scheduler's run id, recorded in the ledger
 * @param heldWait how long a run waits, at its end, for windows another runner held to be finished
 *     (they count as done once that runner commits them); zero looks once
 */
public record RunOptions(
    Reload reload, int parallel, LocalDate logicalDate, String runId, Duration heldWait) {
  public enum Reload {
    IF_CHANGED,
    FORCE
  }

  public RunOptions {
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(heldWait, "heldWait");
    if (heldWait.isNegative()) {
      throw new ConfigException(
          "the wait for windows another runner holds (--lock-timeout) must not be negative, got "
              + heldWait);
    }
    if (parallel < 1) {
      throw new ConfigException("--parallel must be at least 1, got " + parallel);
    }
  }

  /** Options that look once at held windows before the run ends, without waiting. */
  public RunOptions(Reload reload, int parallel, LocalDate logicalDate, String runId) {
    this(reload, parallel, logicalDate, runId, Duration.ZERO);
  }

  public static RunOptions defaults(String runId) {
    return new RunOptions(Reload.IF_CHANGED, 1, null, runId);
  }

  public boolean force() {
    return reload == Reload.FORCE;
  }

  public RunOptions forced() {
    return new RunOptions(Reload.FORCE, parallel, logicalDate, runId, heldWait);
  }

  public RunOptions withParallel(int n) {
    return new RunOptions(reload, n, logicalDate, runId, heldWait);
  }

  /**
   * The same options, waiting up to {@code wait} at the end of the run for windows another runner
   * holds.
   */
  public RunOptions withHeldWait(Duration wait) {
    return new RunOptions(reload, parallel, logicalDate, runId, wait);
  }
}
