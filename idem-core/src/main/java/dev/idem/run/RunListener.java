package dev.idem.run;

import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowState;
import dev.idem.source.PartitionLag;
import dev.idem.window.Window;

/**
 * Progress callbacks, for a terminal's progress line, metrics or lineage. Called from runner
 * threads, so an implementation is thread-safe; a callback that throws fails the window, so an
 * implementation that talks to the outside world catches its own failures.
 */
public interface RunListener {
  RunListener NONE = new RunListener() {};

  default void started(Window window) {}

  /** Called every few thousand staged rows. */
  default void progress(Window window, long rowsStaged) {}

  /**
   * The window's lease is claimed; {@code lease.previous()} is the ledger row it replaced (a
   * running row of another owner means a lease taken over).
   */
  default void claimed(Window window, Lease lease) {}

  /** An attempt failed transiently; attempt {@code attempt + 1} follows. */
  default void retrying(Window window, int attempt, Exception cause) {}

  /**
   * A commit whose outcome was unknown was resolved by reading the ledger: {@code committed} tells
   * which way.
   */
  default void commitResolved(Window window, boolean committed) {}

  /**
   * The window's done ledger row this run ends with: the one its commit wrote, or the one that made
   * it unchanged (its input fingerprint, its counts). Not called for a window that did not load.
   */
  default void recorded(Window window, WindowState state) {}

  default void finished(WindowOutcome outcome) {}

  /**
   * A stream run planned a round: a partition's lag at that moment, once per partition per round
   * (after the previous round's commits). Not called for a batch run.
   */
  default void lag(PartitionLag lag) {}
}
