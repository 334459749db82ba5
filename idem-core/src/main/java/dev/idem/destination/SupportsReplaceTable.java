package dev.idem.destination;

/** Capability: the destination implements replace table. */
public interface SupportsReplaceTable {}
