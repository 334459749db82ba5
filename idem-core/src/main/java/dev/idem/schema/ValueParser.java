package dev.idem.schema;

import dev.idem.DataException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns input into the Java value of a column's {@link DataType}, strictly: a value is accepted
 * only when it denotes exactly one value of the type, and nothing is ever rounded, truncated or
 * guessed. Nothing here reads the default locale or time zone.
 *
 * <p>Text rules ({@link #parse}): surrounding whitespace is trimmed for every type except string
 * and json, which are kept as given.
 * <ul>
 *   <li>integer: {@code [+-]?[0-9]+} within the 64-bit range (ASCII digits only);
 *   <li>decimal: plain or exponent notation ({@code 12.50}, {@code -1.5e3}, {@code .5}); rejected
 *       when it has more integer digits than {@code precision - scale}, or more decimal places
 *       than {@code scale} once trailing zeros are stripped. The value is returned with the
 *       declared scale ({@code 1.5} in a {@code decimal(12,2)} is {@code 1.50});
 *   <li>boolean: true/false/t/f/1/0/yes/no, case-insensitive;
 *   <li>date: ISO {@code yyyy-MM-dd};
 *   <li>timestamp: ISO {@code yyyy-MM-ddTHH:mm[:ss[.fffffffff]]}, or with a space instead of the
 *       {@code T}; an offset is rejected (declare the column timestamptz);
 *   <li>timestamptz: the same followed by {@code Z} or an offset ({@code +01:00},
 *       {@code +01}); a value without an offset is rejected;
 *   <li>json: the text as given (its validity is checked by the reader that has a JSON parser).
 * </ul>
 * A null input is null; a null for a column declared not null is an error.
 *
 * <p>Errors are {@link DataException}s with a one-line message that names the column and says
 * what was expected, e.g. {@code column amount: 'abc' is not a decimal(12,2)}; callers prefix
 * the record's position.
 */
public final class ValueParser {
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?");
  private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .parseLenient()
      .appendOffset("+HH:mm:ss", "Z")
      .toFormatter(Locale.ROOT)
      .withResolverStyle(ResolverStyle.STRICT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE);
  private static final int MAX_SHOWN = 60;
  /**
   * The longest decimal text parsed. {@code new BigDecimal} takes time quadratic in the number of
   * digits (a 10 MB field would take hours); no declared decimal needs more than a few dozen, and
   * Jackson refuses JSON numbers longer than this by default too.
   */
  static final int MAX_DECIMAL_TEXT = 1_000;
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
      case INTEGER -> integer(column, text.strip(), text);
      case DECIMAL -> decimal(column, text.strip(), text);
      case BOOLEAN -> bool(column, text.strip(), text);
      case DATE -> date(column, text.strip(), text);
      case TIMESTAMP -> timestamp(column, text.strip(), text);
      case TIMESTAMPTZ -> timestamptz(column, text.strip(), text);
    };
  }

  /**
   * Converts a value already typed by a JSON parser ({@link String}, {@link Long}, {@link Integer},
   * {@link BigInteger}, {@link BigDecimal}, {@link Double}, {@link Boolean}, or null) to the
   * column's type with the same strictness as {@link #parse}. A string is parsed as text, so
   * {@code "12.50"} is accepted for a decimal; a JSON number is accepted for integer and decimal
   * columns only (an integer column refuses {@code 42.0}), a JSON boolean for boolean columns
   * only. For a json column the caller passes the value's JSON text as a String.
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
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
          return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
          if (b.bitLength() < 64) {
            return b.longValue();
          }
          throw new DataException(prefix(column) + show(b.toString()) + " is out of range for integer: expected a 64-bit integer");
        }
      }
      case DECIMAL -> {
        BigDecimal d = null;
        if (value instanceof BigDecimal b) {
          d = b;
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
          d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
          d = new BigDecimal(b);
        } else if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
          d = new BigDecimal(value.toString());
        }
        if (d != null) {
          return fit(column, d, d.toString());
        }
      }
      case BOOLEAN -> {
        if (value instanceof Boolean b) {
          return b;
        }
      }
      default -> { }
    }
    throw new DataException(prefix(column) + describeJson(value) + " is not " + article(type) + ": expected " + expectation(type));
  }

  /**
   * The narrowest type that holds {@code text} as {@link #parse} reads it, for naming what a value
   * that is not of its column's type is instead ({@code 3.5} is {@code decimal(2,1)}, {@code abc}
   * is {@code string}): integer, decimal(p,s), boolean, date, timestamp, timestamptz, else string.
   */
  public static DataType typeOf(String text) {
    String t = text.strip();
    if (t.length() > MAX_TYPED_TEXT) {
      return DataType.STRING; // no number of 38 digits or fewer, date or time is this long: never parsed
    }
    if (isInteger(t)) {
      try {
        Long.parseLong(t);
        return DataType.INTEGER;
      } catch (NumberFormatException e) {
        return decimalType(new BigDecimal(t));
      }
    }
    if (isPlainDecimal(t) || DECIMAL.matcher(t).matches()) {
      try {
        return decimalType(new BigDecimal(t));
      } catch (NumberFormatException | ArithmeticException e) {
        return DataType.STRING;
      }
    }
    switch (t.toLowerCase(Locale.ROOT)) {
      case "true", "false", "t", "f", "yes", "no" -> {
        return DataType.BOOLEAN;
      }
      default -> { }
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
    if (jsonValue instanceof Long || jsonValue instanceof Integer || jsonValue instanceof Short || jsonValue instanceof Byte) {
      return DataType.INTEGER;
    }
    if (jsonValue instanceof BigInteger b) {
      return b.bitLength() < 64 ? DataType.INTEGER : decimalType(new BigDecimal(b));
    }
    if (jsonValue instanceof BigDecimal d) {
      return decimalType(d);
    }
    if (jsonValue instanceof Number n && Double.isFinite(n.doubleValue())) {
      return decimalType(new BigDecimal(n.toString()));
    }
    return DataType.STRING;
  }

  /** The smallest decimal(p,s) that holds {@code d} exactly; string past 38 digits. */
  private static DataType decimalType(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    int scale = Math.max(0, s.scale());
    long integerDigits = s.signum() == 0 ? 0 : Math.max(0L, (long) s.precision() - s.scale());
    long precision = Math.max(1, integerDigits + scale);
    return precision > 38 ? DataType.STRING : DataType.decimal((int) precision, scale);
  }

  private static Object nullValue(Column column) {
    if (!column.nullable()) {
      throw new DataException(prefix(column) + "null is not allowed: the column is declared not null");
    }
    return null;
  }

  private static Long integer(Column column, String t, String raw) {
    if (!isInteger(t)) {
      throw notA(column, raw);
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new DataException(prefix(column) + show(raw) + " is out of range for integer: expected a 64-bit integer between "
          + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
    }
  }

  /** {@code t} is {@code [+-]?[0-9]+}, checked without a regex matcher per value. */
  private static boolean isInteger(String t) {
    int start = !t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-') ? 1 : 0;
    if (t.length() == start) {
      return false;
    }
    for (int i = start; i < t.length(); i++) {
      if (!isDigit(t.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * {@code t} is a plain decimal {@code [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)}, the common case of
   * {@link #DECIMAL} (no exponent), checked without a regex matcher per value.
   */
  private static boolean isPlainDecimal(String t) {
    int i = !t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-') ? 1 : 0;
    int digits = 0;
    while (i < t.length() && isDigit(t.charAt(i))) {
      i++;
      digits++;
    }
    if (i < t.length() && t.charAt(i) == '.') {
      i++;
      while (i < t.length() && isDigit(t.charAt(i))) {
        i++;
        digits++;
      }
    }
    return digits > 0 && i == t.length();
  }

  private static BigDecimal decimal(Column column, String t, String raw) {
    if (t.length() > MAX_DECIMAL_TEXT) {
      throw new DataException(prefix(column) + show(raw) + " is not " + article(column.type()) + ": " + t.length()
          + " characters, at most " + MAX_DECIMAL_TEXT + " are read as a number");
    }
    if (!isPlainDecimal(t) && !DECIMAL.matcher(t).matches()) {
      throw notA(column, raw);
    }
    BigDecimal d;
    try {
      d = new BigDecimal(t);
    } catch (NumberFormatException | ArithmeticException e) {
      throw notA(column, raw);
    }
    return fit(column, d, raw);
  }

  /** {@code d} at the declared scale, or an error if that needs rounding or overflows. */
  private static BigDecimal fit(Column column, BigDecimal d, String raw) {
    DataType type = column.type();
    BigDecimal s = d.stripTrailingZeros();
    long integerDigits = s.signum() == 0 ? 0 : Math.max(0L, (long) s.precision() - s.scale());
    int allowed = type.precision() - type.scale();
    if (integerDigits > allowed) {
      throw new DataException(prefix(column) + show(raw) + " is out of range for " + type + ": at most " + allowed
          + " digit" + (allowed == 1 ? "" : "s") + " before the decimal point");
    }
    if (s.scale() > type.scale()) {
      throw new DataException(prefix(column) + show(raw) + " has more than " + type.scale() + " decimal place"
          + (type.scale() == 1 ? "" : "s") + " for " + type + ": values are never rounded");
    }
    return s.setScale(type.scale());
  }

  private static Boolean bool(Column column, String t, String raw) {
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1", "yes" -> Boolean.TRUE;
      case "false", "f", "0", "no" -> Boolean.FALSE;
      default -> throw new DataException(prefix(column) + show(raw) + " is not a boolean: expected true/false, t/f, 1/0 or yes/no");
    };
  }

  private static LocalDate date(Column column, String t, String raw) {
    try {
      return LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE);
    } catch (DateTimeParseException e) {
      throw new DataException(prefix(column) + show(raw) + " is not a date: expected yyyy-MM-dd, e.g. 2024-03-15");
    }
  }

  private static LocalDateTime timestamp(Column column, String t, String raw) {
    LocalDateTime fast = plainTimestamp(t);
    if (fast != null) {
      return fast;
    }
    String iso = withT(t);
    try {
      return LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      if (parsesWithOffset(iso)) {
        throw new DataException(prefix(column) + show(raw) + " has a time zone offset: a timestamp column holds local date-times"
            + " (e.g. 2024-03-15T07:00:00); declare the column timestamptz to keep the offset");
      }
      throw new DataException(prefix(column) + show(raw) + " is not a timestamp: expected yyyy-MM-ddTHH:mm:ss[.fff], e.g. 2024-03-15T07:00:00");
    }
  }

  private static Instant timestamptz(Column column, String t, String raw) {
    String iso = withT(t);
    try {
      TemporalAccessor parsed = TIMESTAMPTZ.parse(iso);
      return OffsetDateTime.from(parsed).toInstant();
    } catch (java.time.DateTimeException e) {
      try {
        LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        throw new DataException(prefix(column) + show(raw) + " has no offset: a timestamptz needs Z or an offset,"
            + " e.g. 2024-03-15T07:00:00Z or 2024-03-15T09:00:00+02:00");
      } catch (DateTimeParseException e2) {
        throw new DataException(prefix(column) + show(raw) + " is not a timestamptz: expected yyyy-MM-ddTHH:mm:ss[.fff] followed by Z"
            + " or an offset, e.g. 2024-03-15T07:00:00Z");
      }
    }
  }

  /**
   * The common shapes {@code yyyy-MM-dd[T ]HH:mm[:ss[.f{1,9}]]} read without a formatter, to the
   * same value {@code ISO_LOCAL_DATE_TIME} gives; null for anything else (including an invalid
   * date such as February 30), which the formatter then accepts or explains.
   */
  private static LocalDateTime plainTimestamp(String t) {
    int n = t.length();
    if (n < 16 || (n > 16 && n < 19) || n == 20 || n > 29) {
      return null;
    }
    if (t.charAt(4) != '-' || t.charAt(7) != '-' || (t.charAt(10) != 'T' && t.charAt(10) != ' ') || t.charAt(13) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = 0;
    int nanos = 0;
    if (n >= 19) {
      if (t.charAt(16) != ':') {
        return null;
      }
      second = digits(t, 17, 19);
      if (n > 19) {
        if (t.charAt(19) != '.') {
          return null;
        }
        nanos = digits(t, 20, n);
        for (int i = n; i < 29; i++) {
          nanos *= 10;
        }
      }
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nanos < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** The ASCII digits {@code t[from, to)} as a number, or -1 if one is not a digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean parsesWithOffset(String iso) {
    try {
      TIMESTAMPTZ.parse(iso);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** ISO with a space between date and time is accepted: {@code 2024-03-15 07:00:00}. */
  private static String withT(String t) {
    if (t.length() > 10 && t.charAt(10) == ' ') {
      return t.substring(0, 10) + 'T' + t.substring(11);
    }
    return t;
  }

  private static DataException notA(Column column, String raw) {
    return new DataException(prefix(column) + show(raw) + " is not " + article(column.type()));
  }

  private static String prefix(Column column) {
    return "column " + column.name() + ": ";
  }

  private static String article(DataType type) {
    String name = type.toString();
    return (name.startsWith("integer") ? "an " : "a ") + name;
  }

  private static String expectation(DataType type) {
    return switch (type.kind()) {
      case INTEGER -> "a JSON integer or a string holding one";
      case DECIMAL -> "a JSON number or a string holding one";
      case BOOLEAN -> "a JSON boolean or a string true/false";
      case DATE -> "a string yyyy-MM-dd";
      case TIMESTAMP -> "a string yyyy-MM-ddTHH:mm:ss";
      case TIMESTAMPTZ -> "a string yyyy-MM-ddTHH:mm:ssZ";
      case STRING -> "a JSON string";
      case JSON -> "JSON text";
    };
  }

  private static String describeJson(Object value) {
    if (value instanceof Boolean) {
      return "JSON boolean " + value;
    }
    if (value instanceof Number) {
      return "JSON number " + show(value.toString());
    }
    return value.getClass().getSimpleName();
  }

  /**
   * The input quoted for an error message: at most {@value #MAX_SHOWN} characters, control
   * characters escaped, so that the message stays one line.
   */
  public static String show(String raw) {
    StringBuilder sb = new StringBuilder(Math.min(raw.length(), MAX_SHOWN) + 8).append('\'');
    int n = Math.min(raw.length(), MAX_SHOWN);
    for (int i = 0; i < n; i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (raw.length() > MAX_SHOWN) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }
}
