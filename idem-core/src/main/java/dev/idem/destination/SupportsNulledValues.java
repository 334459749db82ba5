package dev.idem.destination;

/**
 * A destination that keeps the values {@code on_bad_value: null} set to NULL ({@link
 * WindowWrite#nulledValue}) with the window's rows, where a user can query them, and counts them in
 * its ledger. A pipeline that nulls values is refused on a destination without this capability.
 */
public interface SupportsNulledValues {}
