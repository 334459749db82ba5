package dev.idem.ledger;

/**
 * What the ledger records of a window's observed schema: its fingerprint (see {@link
 * dev.idem.schema.ObservedSchema#fingerprint()}), the drift from the declared schema as one line
 * (null when none: {@code added: discount; removed: amount; retyped: ...}), and what {@code
 * schema_drift: discard} dropped: how many input columns, and how many non-null values in them.
 * Dropping values drops no record, so the ledger's balance of records is unchanged by it.
 */
public record WindowSchema(
    String fingerprint, String drift, long columnsDiscarded, long valuesDiscarded) {}
