package dev.idem.fault;

/**
 * Named places in a window's load where a test can make the runner die. Together they cover every
 * step at which a crash could leave a different state behind.
 */
public enum FaultPoint {
  /** The lease is claimed, nothing read yet. */
  AFTER_CLAIM,
  /** The first record has been staged (the transaction is open and holds partial input). */
  MID_STAGING,
  /** All records are staged, nothing applied. */
  AFTER_STAGING,
  /** Strategy and ledger row are applied inside the transaction, COMMIT not yet sent. */
  BEFORE_COMMIT,
  /**
   * COMMIT returned; the runner has not read the ledger back (as if the acknowledgement was lost).
   */
  AFTER_COMMIT,
  /** A window is done and the next has not started. */
  BETWEEN_WINDOWS
}
