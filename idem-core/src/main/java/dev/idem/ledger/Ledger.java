package dev.idem.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of which windows are done, kept in the destination itself so that a window's rows and
 * its ledger row commit in one transaction. Leases make one runner the writer of a window.
 */
public interface Ledger {
  Optional<WindowState> state(String pipeline, String windowId);

  /** All windows of a pipeline, sorted by window id. */
  List<WindowState> states(String pipeline);

  /**
   * Claims a window for {@code owner}: succeeds when nobody holds a live lease on it (a lease held
   * by a dead or stalled runner is taken over), and returns the lease with a new fencing token.
   * Empty when another runner holds a live lease.
   */
  Optional<Lease> claim(String pipeline, String windowId, String owner, Duration ttl);

  /**
   * Announces that runner {@code owner} is alive until the returned presence is closed. A runner
   * enters before its first claim and closes when it has finished its windows, so that a lease it
   * could not release (its ledger was unreachable when the window failed) is taken over by the next
   * claim, and a lease of a killed process is taken over as soon as its store notices. A runner may
   * enter more than once; it is present until it has closed each presence. A store that cannot hold
   * presences returns {@link Presence#NONE}.
   */
  default Presence enter(String owner) {
    return Presence.NONE;
  }

  /**
   * Whether runner {@code owner} is alive: present in this process, or, where the store can tell,
   * in another. A store that cannot tell answers true (the lease's expiry then decides).
   */
  default boolean alive(String owner) {
    return true;
  }

  /**
   * Extends a lease still held by its token; false when it was taken over (the holder must stop).
   */
  boolean renew(Lease lease, Duration ttl);

  /** Gives a lease back without changing the window (it was found unchanged). Fenced. */
  void release(Lease lease);

  /**
   * Records that the window failed, with a one-line reason and no counts. Fenced; data already
   * committed stays.
   */
  default void fail(Lease lease, String error) {
    fail(lease, error, WindowCounts.NONE, List.of());
  }

  /**
   * Marks the window failed under the lease with the failed attempt's counts (which balance, see
   * {@link WindowCounts#failed}) and keeps its dead letters, in one fenced transaction (the
   * window's data transaction was rolled back). The target rows recorded by its last load stay.
   */
  void fail(Lease lease, String error, WindowCounts counts, List<DeadLetter> letters);

  /** Dead letters of a pipeline, oldest first: one window's or all, open ones only or all. */
  List<DeadLetter> deadLetters(String pipeline, Optional<String> windowId, boolean includeReplayed);

  /**
   * Values {@code on_bad_value: null} set to NULL in the rows each window holds, in window and
   * input order: one window's or all. None for a ledger whose destination does not keep them.
   */
  default List<NulledValue> nulledValues(String pipeline, Optional<String> windowId) {
    return List.of();
  }

  /** Windows holding dead letters not yet replayed. */
  List<String> windowsWithOpenDeadLetters(String pipeline);

  /** Deletes the pipeline's dead letters created before {@code before}; returns how many. */
  int purgeDeadLetters(String pipeline, Instant before);

  /** Forgets windows so they load again: one window, or all of the pipeline's. Returns how many. */
  int reset(String pipeline, Optional<String> windowId);
}
