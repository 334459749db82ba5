package dev.idem.source;

import java.io.Serializable;

/**
 * One value of a record that could not be typed as its column's type: the column, the input as read
 * (null when the input held none, for a column declared not null), and why, one line ({@code column
 * amount: 'abc' is not a decimal(12,2)}).
 */
public record BadValue(String column, String raw, String reason) implements Serializable {}
