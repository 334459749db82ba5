package dev.idem.ledger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The record of which windows are done, kept in the destination itself so that a window's rows
 * and its ledger row commit in one transaction. Leases make one runner the writer of a window.
 */
public interface Ledger {
  Optional<WindowState> state(String pipeline, String windowId);

  /** All windows of a pipeline, sorted by window id. */
  List<WindowState> states(String pipeline);

  /**
   * Claims a window for {@code owner}: succeeds when nobody holds a live lease on it (a lease
   * held by a dead or stalled runner is taken over), and returns the lease with a new fencing
   * token. Empty when another runner holds a live lease.
   */
  Optional<Lease> claim(String pipeline, String windowId, String owner, Duration ttl);

  /** Extends a lease still held by its token; false when it was taken over (the holder must stop). */
  boolean renew(Lease lease, Duration ttl);

  /** Gives a lease back without changing the window (it was found unchanged). Fenced. */
  void release(Lease lease);

  /** Records that the window failed, with a one-line reason. Fenced; data already committed stays. */
  void fail(Lease lease, String error);

  /**
   * Marks the window failed under the lease and keeps the dead letters of the failed attempt, in
   * one fenced transaction (the window's data transaction was rolled back).
   */
  void fail(Lease lease, String error, List<DeadLetter> letters);

  /** Dead letters of a pipeline, oldest first: one window's or all, open ones only or all. */
  List<DeadLetter> deadLetters(String pipeline, Optional<String> windowId, boolean includeReplayed);

  /** Windows holding dead letters not yet replayed. */
  java.util.List<String> windowsWithOpenDeadLetters(String pipeline);

  /** Deletes the pipeline's dead letters created before {@code before}; returns how many. */
  int purgeDeadLetters(String pipeline, java.time.Instant before);

  /** Forgets windows so they load again: one window, or all of the pipeline's. Returns how many. */
  int reset(String pipeline, Optional<String> windowId);
}
