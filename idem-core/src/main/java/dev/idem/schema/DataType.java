package dev.idem.schema;

import dev.idem.ConfigException;
import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column's declared type. Java values: string → String, integer → Long, decimal → BigDecimal,
 * boolean → Boolean, date → LocalDate, timestamp → LocalDateTime (no zone), timestamptz → Instant,
 * json → String (the JSON text).
 */
public record DataType(Kind kind, int precision, int scale) implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    STRING,
    INTEGER,
    DECIMAL,
    BOOLEAN,
    DATE,
    TIMESTAMP,
    TIMESTAMPTZ,
    JSON
  }

  private static final Pattern DECIMAL =
      Pattern.compile("decimal\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?");

  public static final DataType STRING = new DataType(Kind.STRING, 0, 0);
  public static final DataType INTEGER = new DataType(Kind.INTEGER, 0, 0);
  public static final DataType BOOLEAN = new DataType(Kind.BOOLEAN, 0, 0);
  public static final DataType DATE = new DataType(Kind.DATE, 0, 0);
  public static final DataType TIMESTAMP = new DataType(Kind.TIMESTAMP, 0, 0);
  public static final DataType TIMESTAMPTZ = new DataType(Kind.TIMESTAMPTZ, 0, 0);
  public static final DataType JSON = new DataType(Kind.JSON, 0, 0);

  public DataType {
    if (kind == Kind.DECIMAL
        && (precision < 1 || precision > 38 || scale < 0 || scale > precision)) {
      throw new ConfigException(
          "decimal("
              + precision
              + ","
              + scale
              + ") is not a valid decimal type: expected 1 <= precision <= 38 and 0 <= scale <= precision");
    }
  }

  public static DataType decimal(int precision, int scale) {
    return new DataType(Kind.DECIMAL, precision, scale);
  }

  /**
   * Parses a type name as written in a pipeline file: {@code string}, {@code decimal(12,2)}, ...
   */
  public static DataType parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      int p = m.group(1) == null ? 38 : Integer.parseInt(m.group(1));
      int s = m.group(2) == null ? (m.group(1) == null ? 9 : 0) : Integer.parseInt(m.group(2));
      return decimal(p, s);
    }
    return switch (t) {
      case "string", "text", "varchar" -> STRING;
      case "integer", "int", "bigint", "long" -> INTEGER;
      case "boolean", "bool" -> BOOLEAN;
      case "date" -> DATE;
      case "timestamp" -> TIMESTAMP;
      case "timestamptz" -> TIMESTAMPTZ;
      case "json" -> JSON;
      default ->
          throw new ConfigException(
              "unknown type '"
                  + text
                  + "': expected one of string, integer, decimal(p,s), boolean, date, timestamp, timestamptz, json");
    };
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL
        ? "decimal(" + precision + "," + scale + ")"
        : kind.name().toLowerCase(Locale.ROOT);
  }
}
