package dev.idem.schema;

import dev.idem.DataException;
import java.util.Locale;

/**
 * The one-line messages of {@link ValueParser}'s errors: they name the column, quote the input
 * shortened and with control characters escaped, and say what was expected, e.g. {@code column
 * amount: 'abc' is not a decimal(12,2)}.
 */
final class ParseErrors {
  private static final int MAX_SHOWN = 60;

  private ParseErrors() {}

  /** The input is not a value of the column's type, with nothing more to say. */
  static DataException notA(Column column, String raw) {
    return new DataException(prefix(column) + show(raw) + " is not " + article(column.type()));
  }

  static String prefix(Column column) {
    return "column " + column.name() + ": ";
  }

  static String article(DataType type) {
    String name = type.toString();
    return (name.startsWith("integer") ? "an " : "a ") + name;
  }

  /** What a JSON value for a column of this type must be. */
  static String expectation(DataType type) {
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

  static String describeJson(Object value) {
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
  static String show(String raw) {
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
