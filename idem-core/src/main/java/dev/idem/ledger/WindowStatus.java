package dev.idem.ledger;

/** A window's state in the ledger. A RUNNING window whose lease expired shows as stale. */
public enum WindowStatus {
  RUNNING,
  DONE,
  FAILED
}
