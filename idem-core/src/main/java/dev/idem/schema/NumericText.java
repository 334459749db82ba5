package dev.idem.schema;

import static dev.idem.schema.ParseErrors.article;
import static dev.idem.schema.ParseErrors.notA;
import static dev.idem.schema.ParseErrors.prefix;
import static dev.idem.schema.ParseErrors.show;

import dev.idem.DataException;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Integers and decimals for {@link ValueParser}: the text forms accepted, checked without a regex
 * matcher in the common cases, and the rule that a decimal is kept at its declared scale only when
 * that needs no rounding and does not overflow.
 */
final class NumericText {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?");

  /**
   * The longest decimal text parsed. {@code new BigDecimal} takes time quadratic in the number of
   * digits (a 10 MB field would take hours); no declared decimal needs more than a few dozen, and
   * Jackson refuses JSON numbers longer than this by default too.
   */
  static final int MAX_DECIMAL_TEXT = 1_000;

  private NumericText() {}

  static Long integer(Column column, String t, String raw) {
    if (!isInteger(t)) {
      throw notA(column, raw);
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new DataException(
          prefix(column)
              + show(raw)
              + " is out of range for integer: expected a 64-bit integer between "
              + Long.MIN_VALUE
              + " and "
              + Long.MAX_VALUE);
    }
  }

  /** {@code t} is {@code [+-]?[0-9]+}, checked without a regex matcher per value. */
  static boolean isInteger(String t) {
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

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * {@code t} is decimal text: plain ({@code 12.50}, {@code .5}) or with an exponent ({@code
   * -1.5e3}).
   */
  static boolean isDecimal(String t) {
    return isPlainDecimal(t) || DECIMAL.matcher(t).matches();
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

  static BigDecimal decimal(Column column, String t, String raw) {
    if (t.length() > MAX_DECIMAL_TEXT) {
      throw new DataException(
          prefix(column)
              + show(raw)
              + " is not "
              + article(column.type())
              + ": "
              + t.length()
              + " characters, at most "
              + MAX_DECIMAL_TEXT
              + " are read as a number");
    }
    if (!isDecimal(t)) {
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
  static BigDecimal fit(Column column, BigDecimal d, String raw) {
    DataType type = column.type();
    BigDecimal s = d.stripTrailingZeros();
    long integerDigits = s.signum() == 0 ? 0 : Math.max(0L, (long) s.precision() - s.scale());
    int allowed = type.precision() - type.scale();
    if (integerDigits > allowed) {
      throw new DataException(
          prefix(column)
              + show(raw)
              + " is out of range for "
              + type
              + ": at most "
              + allowed
              + " digit"
              + (allowed == 1 ? "" : "s")
              + " before the decimal point");
    }
    if (s.scale() > type.scale()) {
      throw new DataException(
          prefix(column)
              + show(raw)
              + " has more than "
              + type.scale()
              + " decimal place"
              + (type.scale() == 1 ? "" : "s")
              + " for "
              + type
              + ": values are never rounded");
    }
    return s.setScale(type.scale());
  }

  /** The smallest decimal(p,s) that holds {@code d} exactly; string past 38 digits. */
  static DataType decimalType(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    int scale = Math.max(0, s.scale());
    long integerDigits = s.signum() == 0 ? 0 : Math.max(0L, (long) s.precision() - s.scale());
    long precision = Math.max(1, integerDigits + scale);
    return precision > 38 ? DataType.STRING : DataType.decimal((int) precision, scale);
  }
}
