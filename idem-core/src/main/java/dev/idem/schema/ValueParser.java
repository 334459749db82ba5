package dev.idem.schema;

import static dev.idem.schema.ParseErrors.article;
import static dev.idem.schema.ParseErrors.describeJson;
import static dev.idem.schema.ParseErrors.expectation;
import static dev.idem.schema.ParseErrors.prefix;

import dev.idem.DataException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Turns input into the Java value of a column's {@link DataType}, strictly: a value is accepted
 * only when it denotes exactly one value of the type, and nothing is ever rounded, truncated or
 * guessed. Nothing here reads the default locale or time zone.
 *
 * <p>Text rules ({@link #parse}): surrounding whitespace is trimmed for every type except string
 * and json, which are kept as given.
 *
 * <ul>
 *   <li>integer: {@code [+-]?[0-9]+} within the 64-bit range (ASCII digits only);
 *   <li>decimal: plain or exponent notation ({@code 12.50}, {@code -1.5e3}, {@code .5}); rejected
 *       when it has more integer digits than {@code precision - scale}, or more decimal places than
 *       {@code scale} once trailing zeros are stripped. The value is returned with the declared
 *       scale ({@code 1.5} in a {@code decimal(12,2)} is {@code 1.50});
 *   <li>boolean: true/false/t/f/1/0/yes/no, case-insensitive;
 *   <li>date: ISO {@code yyyy-MM-dd};
 *   <li>timestamp: ISO {@code yyyy-MM-ddTHH:mm[:ss[.fffffffff]]}, or with a space instead of the
 *       {@code T}; an offset is rejected (declare the column timestamptz);
 *   <li>timestamptz: the same followed by {@code Z} or an offset ({@code +01:00}, {@code +0100},
 *       {@code +01}); a value without an offset is rejected;
 *   <li>json: the text as given (its validity is checked by the reader that has a JSON parser).
 * </ul>
 *
 * A null input is null; a null for a column declared not null is an error.
 *
 * <p>Errors are {@link DataException}s with a one-line message that names the column and says what
 * was expected, e.g. {@code column amount: 'abc' is not a decimal(12,2)}; callers prefix the
 * record's position.
 *
 * <p>The rules live by concern: {@link NumericText} (integers, decimals), {@link TemporalText}
 * (dates and times), {@link ParseErrors} (the messages); this class is their one entry point.
 */
public final class ValueParser {
  /** The longest text {@link #typeOf(String)} looks at as anything but a string. */
  private static final int MAX_TYPED_TEXT = 100;

  private ValueParser() {}

  /** The value of {@code text} as the column's type; {@code null} text is null. */
  public static Object parse(Column column, String text) {
    if (text == null) {
      return nullValue(column);
    }
    DataType type = column.type();
    return switch (type.kind()) {
      case STRING, JSON -> text;
      case INTEGER -> NumericText.integer(column, text.strip(), text);
      case DECIMAL -> NumericText.decimal(column, text.strip(), text);
      case BOOLEAN -> bool(column, text.strip(), text);
      case DATE -> TemporalText.date(column, text.strip(), text);
      case TIMESTAMP -> TemporalText.timestamp(column, text.strip(), text);
      case TIMESTAMPTZ -> TemporalText.timestamptz(column, text.strip(), text);
    };
  }

  /**
   * Converts a value already typed by a JSON parser ({@link String}, {@link Long}, {@link Integer},
   * {@link BigInteger}, {@link BigDecimal}, {@link Double}, {@link Boolean}, or null) to the
   * column's type with the same strictness as {@link #parse}. A string is parsed as text, so {@code
   * "12.50"} is accepted for a decimal; a JSON number is accepted for integer and decimal columns
   * only (an integer column refuses {@code 42.0}), a JSON boolean for boolean columns only. For a
   * json column the caller passes the value's JSON text as a String.
   */
  public static Object convert(Column column, Object value) {
    if (value == null) {
      return nullValue(column);
    }
    if (value instanceof String s) {
      return parse(column, s);
    }
    DataType type = column.type();
    switch (type.kind()) {
      case INTEGER -> {
        if (value instanceof Long
            || value instanceof Integer
            || value instanceof Short
            || value instanceof Byte) {
          return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
          if (b.bitLength() < 64) {
            return b.longValue();
          }
          throw new DataException(
              prefix(column)
                  + ParseErrors.show(b.toString())
                  + " is out of range for integer: expected a 64-bit integer");
        }
      }
      case DECIMAL -> {
        BigDecimal d = null;
        if (value instanceof BigDecimal b) {
          d = b;
        } else if (value instanceof Long
            || value instanceof Integer
            || value instanceof Short
            || value instanceof Byte) {
          d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
          d = new BigDecimal(b);
        } else if ((value instanceof Double || value instanceof Float)
            && Double.isFinite(((Number) value).doubleValue())) {
          d = new BigDecimal(value.toString());
        }
        if (d != null) {
          return NumericText.fit(column, d, d.toString());
        }
      }
      case BOOLEAN -> {
        if (value instanceof Boolean b) {
          return b;
        }
      }
      default -> {}
    }
    throw new DataException(
        prefix(column)
            + describeJson(value)
            + " is not "
            + article(type)
            + ": expected "
            + expectation(type));
  }

  /**
   * The narrowest type that holds {@code text} as {@link #parse} reads it, for naming what a value
   * that is not of its column's type is instead ({@code 3.5} is {@code decimal(2,1)}, {@code abc}
   * is {@code string}): integer, decimal(p,s), boolean, date, timestamp, timestamptz, else string.
   */
  public static DataType typeOf(String text) {
    String t = text.strip();
    if (t.length() > MAX_TYPED_TEXT) {
      return DataType
          .STRING; // no number of 38 digits or fewer, date or time is this long: never parsed
    }
    if (NumericText.isInteger(t)) {
      try {
        Long.parseLong(t);
        return DataType.INTEGER;
      } catch (NumberFormatException e) {
        return NumericText.decimalType(new BigDecimal(t));
      }
    }
    if (NumericText.isDecimal(t)) {
      try {
        return NumericText.decimalType(new BigDecimal(t));
      } catch (NumberFormatException | ArithmeticException e) {
        return DataType.STRING;
      }
    }
    switch (t.toLowerCase(Locale.ROOT)) {
      case "true", "false", "t", "f", "yes", "no" -> {
        return DataType.BOOLEAN;
      }
      default -> {}
    }
    for (DataType type : new DataType[] {DataType.DATE, DataType.TIMESTAMP, DataType.TIMESTAMPTZ}) {
      try {
        parse(Column.of("v", type), t);
        return type;
      } catch (DataException e) {
        // not this type
      }
    }
    return DataType.STRING;
  }

  /**
   * The type of a value as a JSON parser gives it (see {@link #convert}): string, integer (or a
   * decimal for an integer beyond 64 bits), decimal(p,s), boolean.
   */
  public static DataType typeOf(Object jsonValue) {
    if (jsonValue instanceof Boolean) {
      return DataType.BOOLEAN;
    }
    if (jsonValue instanceof Long
        || jsonValue instanceof Integer
        || jsonValue instanceof Short
        || jsonValue instanceof Byte) {
      return DataType.INTEGER;
    }
    if (jsonValue instanceof BigInteger b) {
      return b.bitLength() < 64 ? DataType.INTEGER : NumericText.decimalType(new BigDecimal(b));
    }
    if (jsonValue instanceof BigDecimal d) {
      return NumericText.decimalType(d);
    }
    if (jsonValue instanceof Number n && Double.isFinite(n.doubleValue())) {
      return NumericText.decimalType(new BigDecimal(n.toString()));
    }
    return DataType.STRING;
  }

  private static Object nullValue(Column column) {
    if (!column.nullable()) {
      throw new DataException(
          prefix(column) + "null is not allowed: the column is declared not null");
    }
    return null;
  }

  private static Boolean bool(Column column, String t, String raw) {
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1", "yes" -> Boolean.TRUE;
      case "false", "f", "0", "no" -> Boolean.FALSE;
      default ->
          throw new DataException(
              prefix(column)
                  + ParseErrors.show(raw)
                  + " is not a boolean: expected true/false, t/f, 1/0 or yes/no");
    };
  }

  /**
   * The input quoted for an error message: at most 60 characters, control characters escaped, so
   * that the message stays one line.
   */
  public static String show(String raw) {
    return ParseErrors.show(raw);
  }
}
