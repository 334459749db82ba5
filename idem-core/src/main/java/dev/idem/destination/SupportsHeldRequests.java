package dev.idem.destination;

/**
 * A destination that sends requests to the outside world and holds those of unknown outcome (sent,
 * never answered, and not safe to send again: no idempotency key, or past the key's lifetime) until
 * a person says what happened ({@code idem resolve}). The decision is recorded in the destination's
 * sent-request ledger; the next run acts on it: a request resolved as sent is acknowledged and
 * never sent again, one resolved as not sent is sent again.
 */
public interface SupportsHeldRequests {
  /** What a person found out about a held request's effect. */
  enum Decision {
    SENT,
    NOT_SENT
  }

  /**
   * Records {@code decision} for the pipeline's request in doubt whose key is, or uniquely starts
   * with, {@code key}, and returns one line naming it. Refuses, with one line, a key naming no
   * request in doubt, a prefix naming several, and a request whose window is running now.
   */
  String resolve(String pipeline, String key, Decision decision);
}
