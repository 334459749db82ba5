package dev.idem.destination;

import dev.idem.ledger.WindowSchema;

/**
 * What the ledger row of a finished window records beside the write's own counts.
 *
 * @param schema the window's observed schema, or null when the source does not report one
 * @param sourcePosition where the window's input ended, for sources that read a stream (a Kafka
 *     partition's next offset); null for the others. It commits with the rows, so the ledger, not
 *     the source, says where the next window starts.
 */
public record Completion(String fingerprint, String definitionHash, long read, long discarded, long deadLettered, WindowSchema schema,
                         String sourcePosition) {
  public Completion(String fingerprint, String definitionHash, long read, long discarded, long deadLettered) {
    this(fingerprint, definitionHash, read, discarded, deadLettered, null, null);
  }
}
