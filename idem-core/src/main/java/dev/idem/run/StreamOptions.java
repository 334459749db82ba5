package dev.idem.run;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How a stream pipeline (offsets windows) runs: rounds of windows planned from the ledger, each
 * window a commit.
 *
 * @param follow  keep going when the stream is caught up (the {@code --follow} mode); otherwise
 *     stop once a round has nothing left to load up to the stream's end as first seen
 * @param idle    how long to wait before looking again when a round found nothing to load
 * @param stop    asked between windows; true ends the run after the window in progress commits
 *     (a SIGTERM handler sets it), so no transaction is left open
 */
public record StreamOptions(boolean follow, Duration idle, BooleanSupplier stop) {
  public StreamOptions {
    Objects.requireNonNull(idle, "idle");
    Objects.requireNonNull(stop, "stop");
    if (idle.isNegative()) {
      throw new dev.idem.ConfigException("the idle wait must not be negative, got " + idle);
    }
  }

  /** Loads what the stream holds now, then stops. */
  public static StreamOptions untilCaughtUp() {
    return new StreamOptions(false, Duration.ZERO, () -> false);
  }
}
