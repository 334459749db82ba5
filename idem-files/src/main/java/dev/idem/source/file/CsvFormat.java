package dev.idem.source.file;

import dev.idem.ConfigException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * How a CSV file is written: field delimiter, quote character, whether the first row is a header,
 * the text that stands for null, and the character encoding.
 *
 * <p>An <em>unquoted</em> field equal to {@code nullMarker} is null; a quoted one is the string
 * itself. With the default marker (the empty string) {@code a,,b} has a null middle field and
 * {@code a,"",b} an empty string. A {@code null} marker means no field is ever null.
 */
public record CsvFormat(
    char delimiter, char quote, boolean header, String nullMarker, Charset encoding) {
  /** RFC 4180 as written by most tools: comma, double quote, a header row, empty = null, UTF-8. */
  public static final CsvFormat DEFAULT = new CsvFormat(',', '"', true, "", StandardCharsets.UTF_8);

  public CsvFormat {
    Objects.requireNonNull(encoding, "encoding");
    if (delimiter == quote) {
      throw new ConfigException(
          "csv delimiter and quote are both '" + delimiter + "': they must differ");
    }
    if (isLineBreak(delimiter) || isLineBreak(quote)) {
      throw new ConfigException("csv delimiter and quote cannot be a line break");
    }
    if (nullMarker != null
        && (nullMarker.indexOf(delimiter) >= 0 || nullMarker.indexOf(quote) >= 0)) {
      throw new ConfigException(
          "csv null marker '" + nullMarker + "' contains the delimiter or the quote");
    }
  }

  public CsvFormat withHeader(boolean header) {
    return new CsvFormat(delimiter, quote, header, nullMarker, encoding);
  }

  /** Stable text for the pipeline definition hash. */
  public String describe() {
    return "delimiter="
        + show(delimiter)
        + " quote="
        + show(quote)
        + " header="
        + header
        + " null="
        + (nullMarker == null ? "none" : "'" + nullMarker + "'")
        + " encoding="
        + encoding.name();
  }

  private static String show(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format(Locale.ROOT, "U+%04X", (int) c);
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r';
  }
}
