package dev.idem.source;

/**
 * One record read from a source: its values typed by the declared schema, in schema order,
 * and its position in the input ({@code orders.csv:17}, an offset) for error messages.
 */
public record SourceRecord(Object[] values, String position) {}
