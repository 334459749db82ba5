package dev.idem.notify;

import java.time.Instant;

/**
 * A notification a window's commit (or the record of its failure) left in the destination's outbox,
 * in the same transaction: a crash right after that commit cannot lose it. It carries what a hook's
 * body may say, as it was at that commit; it stays undelivered until every hook asking for its
 * event was acknowledged or refused.
 *
 * @param token the lease token of the attempt that recorded it: one entry per commit or failure
 * @param fingerprint the window's input fingerprint (null for a failure recorded before one)
 * @param error the failure's one-line reason; null for a success
 */
public record OutboxEntry(
    String pipeline,
    String windowId,
    Event event,
    long token,
    String fingerprint,
    long inserted,
    long updated,
    long deleted,
    long deadLetters,
    String error,
    Instant recordedAt) {
  /** What happened to the window. */
  public enum Event {
    SUCCESS,
    FAILURE;

    /** As a pipeline file and the outbox table spell it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
