package dev.idem.schema;

import java.util.Optional;

/**
 * The plain, canonical text of each type: a regular expression such that every text matching it
 * whole is accepted by {@link ValueParser#parse} and denotes the one value a standard SQL cast of
 * the same text to the type's SQL type gives. It lets a database type values itself ({@link
 * dev.idem.source.CsvFiles}) only where that provably gives what {@code ValueParser} gives (ADR
 * 0009): a text outside it may still be valid, and then goes the Java way.
 *
 * <p>The expressions use only what Java's and RE2's syntax share (classes, counted repetition,
 * groups, alternation). Dates and timestamps match their shape only: a date the calendar lacks
 * ({@code 2024-02-30}) matches, so the caller also requires that the cast succeeds, and both refuse
 * it alike.
 */
public final class PlainText {
  /** The widest decimal a database cast is relied on for. */
  public static final int MAX_PRECISION = 38;

  private static final String DATE = "[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}";

  private PlainText() {}

  /**
   * The expression for {@code type}'s plain text, or empty for a type that has none (timestamptz,
   * json; a decimal without integer digits or wider than {@link #MAX_PRECISION}).
   */
  public static Optional<String> pattern(DataType type) {
    return switch (type.kind()) {
      // any text: a string is taken as given
      case STRING -> Optional.of("(?s).*");
      // at most 18 digits: always within 64 bits
      case INTEGER -> Optional.of("-?[0-9]{1,18}");
      case DECIMAL -> decimal(type.precision(), type.scale());
      // lower case only: the forms every SQL cast reads the same way
      case BOOLEAN -> Optional.of("true|false");
      case DATE -> Optional.of(DATE);
      // seconds always, at most microseconds (what a SQL timestamp holds), hours 00 to 23
      case TIMESTAMP ->
          Optional.of(DATE + "[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?");
      case TIMESTAMPTZ, JSON -> Optional.empty();
    };
  }

  /**
   * True when a text matching the pattern must also pass the database's cast (its calendar) to be
   * plain: dates and timestamps.
   */
  public static boolean needsCast(DataType type) {
    return type.kind() == DataType.Kind.DATE || type.kind() == DataType.Kind.TIMESTAMP;
  }

  /**
   * No more integer digits than {@code precision - scale} and no more decimal places than {@code
   * scale}, so that nothing is rounded, and no exponent.
   */
  private static Optional<String> decimal(int precision, int scale) {
    int integers = precision - scale;
    if (integers < 1 || precision > MAX_PRECISION) {
      return Optional.empty();
    }
    return Optional.of(
        "-?[0-9]{1," + integers + "}" + (scale == 0 ? "" : "(\\.[0-9]{1," + scale + "})?"));
  }
}
