package dev.idem.destination;

/**
 * Capability: the destination applies a merge's deletes and remembers each as a tombstone (the key
 * and the deleting version), in the window's atomic unit, so that no older version brings a deleted
 * key back (ADR 0007). A pipeline with a delete rule is refused when the run is planned by a
 * destination without it.
 */
public interface SupportsDeletes {}
