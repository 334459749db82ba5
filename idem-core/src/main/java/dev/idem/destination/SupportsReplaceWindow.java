package dev.idem.destination;

/** Capability: the destination implements replace window. */
public interface SupportsReplaceWindow {}
