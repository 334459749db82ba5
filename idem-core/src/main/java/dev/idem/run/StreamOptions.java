package dev.idem.run;

import dev.idem.ConfigException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How a stream pipeline (offsets windows) runs: rounds of windows planned from the ledger, each
 * window a commit.
 *
 * @param follow keep going when the stream is caught up (the {@code --follow} mode); otherwise stop
 *     once a round has nothing left to load up to the stream's end as first seen
 * @param commitInterval in follow mode, rounds start at most this often: a partition commits a
 *     window per interval (of at most the source's {@code max_records}), so a trickle of records
 *     does not become a commit and a ledger row per record
 * @param stop asked between windows; true ends the run after the window in progress commits (a
 *     SIGTERM handler sets it), so no transaction is left open
 */
public record StreamOptions(boolean follow, Duration commitInterval, BooleanSupplier stop) {
  public StreamOptions {
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(stop, "stop");
    if (commitInterval.isNegative()) {
      throw new ConfigException("the commit interval must not be negative, got " + commitInterval);
    }
  }

  /** Loads what the stream holds now, then stops. */
  public static StreamOptions untilCaughtUp() {
    return new StreamOptions(false, Duration.ZERO, () -> false);
  }
}
