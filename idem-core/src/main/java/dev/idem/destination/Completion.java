package dev.idem.destination;

/** What the ledger row of a finished window records beside the write's own counts. */
public record Completion(String fingerprint, String definitionHash, long read, long discarded, long deadLettered) {}
