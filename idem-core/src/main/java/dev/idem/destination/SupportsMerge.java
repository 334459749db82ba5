package dev.idem.destination;

/** Capability: the destination implements merge. */
public interface SupportsMerge {}
