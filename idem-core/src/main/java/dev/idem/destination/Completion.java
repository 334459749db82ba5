package dev.idem.destination;

import dev.idem.ledger.WindowSchema;

/**
 * What the ledger row of a finished window records beside the write's own counts; {@code schema}
 * is the window's observed schema, or null when the source does not report one.
 */
public record Completion(String fingerprint, String definitionHash, long read, long discarded, long deadLettered, WindowSchema schema) {
  public Completion(String fingerprint, String definitionHash, long read, long discarded, long deadLettered) {
    this(fingerprint, definitionHash, read, discarded, deadLettered, null);
  }
}
