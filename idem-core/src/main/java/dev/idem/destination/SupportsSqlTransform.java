package dev.idem.destination;

/** Capability: the destination implements sql transform. */
public interface SupportsSqlTransform {}
