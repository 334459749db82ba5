package dev.idem.destination;

/**
 * Capability: the destination's windows take columns the input gained ({@link
 * WindowWrite#addColumn}) and add them to the target as nullable columns in the window's own
 * transaction, as {@code schema_drift: evolve} needs.
 */
public interface SupportsSchemaEvolution {}
