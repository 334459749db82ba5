package dev.idem.schema;

import static dev.idem.schema.ParseErrors.prefix;
import static dev.idem.schema.ParseErrors.show;

import dev.idem.DataException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * Dates, timestamps and timestamptz for {@link ValueParser}: ISO text, with a space accepted
 * instead of the {@code T}, and an offset written {@code Z}, {@code +08:00}, {@code +0800}, {@code
 * +08}, {@code +08:00:00} or {@code +080000}; the common timestamp shapes read without a formatter
 * (the hot path of a CSV load), to the same value the ISO formatter gives. An offset is refused for
 * a timestamp and required for a timestamptz, each with a message that says which to declare.
 */
final class TemporalText {
  private static final DateTimeFormatter TIMESTAMPTZ =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .parseLenient()
          .appendOffset("+HH:mm:ss", "Z")
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT)
          .withChronology(IsoChronology.INSTANCE);

  private TemporalText() {}

  static LocalDate date(Column column, String t, String raw) {
    try {
      return LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE);
    } catch (DateTimeParseException e) {
      throw new DataException(
          prefix(column) + show(raw) + " is not a date: expected yyyy-MM-dd, e.g. 2024-03-15");
    }
  }

  static LocalDateTime timestamp(Column column, String t, String raw) {
    LocalDateTime fast = plainTimestamp(t);
    if (fast != null) {
      return fast;
    }
    String iso = withT(t);
    try {
      return LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      if (parsesWithOffset(withColons(iso))) {
        throw new DataException(
            prefix(column)
                + show(raw)
                + " has a time zone offset: a timestamp column holds local date-times"
                + " (e.g. 2024-03-15T07:00:00); declare the column timestamptz to keep the offset");
      }
      throw new DataException(
          prefix(column)
              + show(raw)
              + " is not a timestamp: expected yyyy-MM-ddTHH:mm:ss[.fff], e.g. 2024-03-15T07:00:00");
    }
  }

  static Instant timestamptz(Column column, String t, String raw) {
    String iso = withT(t);
    try {
      TemporalAccessor parsed = TIMESTAMPTZ.parse(withColons(iso));
      return OffsetDateTime.from(parsed).toInstant();
    } catch (DateTimeException e) {
      try {
        LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        throw new DataException(
            prefix(column)
                + show(raw)
                + " has no offset: a timestamptz needs Z or an offset,"
                + " e.g. 2024-03-15T07:00:00Z or 2024-03-15T09:00:00+02:00");
      } catch (DateTimeParseException e2) {
        throw new DataException(
            prefix(column)
                + show(raw)
                + " is not a timestamptz: expected yyyy-MM-ddTHH:mm:ss[.fff] followed by Z"
                + " or an offset, e.g. 2024-03-15T07:00:00Z");
      }
    }
  }

  /**
   * The common shapes {@code yyyy-MM-dd[T ]HH:mm[:ss[.f{1,9}]]} read without a formatter, to the
   * same value {@code ISO_LOCAL_DATE_TIME} gives; null for anything else (including an invalid date
   * such as February 30), which the formatter then accepts or explains.
   */
  private static LocalDateTime plainTimestamp(String t) {
    int n = t.length();
    if (n < 16 || (n > 16 && n < 19) || n == 20 || n > 29) {
      return null;
    }
    if (t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || (t.charAt(10) != 'T' && t.charAt(10) != ' ')
        || t.charAt(13) != ':') {
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
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The ASCII digits {@code t[from, to)} as a number, or -1 if one is not a digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (!NumericText.isDigit(c)) {
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

  /**
   * The offset at the end of {@code iso} written with colons ({@code +0800} as {@code +08:00},
   * {@code +080000} as {@code +08:00:00}), which is how the formatter reads it; the text unchanged
   * when it ends otherwise. The sign is looked for after the date (whose dashes are not signs).
   */
  private static String withColons(String iso) {
    int n = iso.length();
    int sign = Math.max(iso.lastIndexOf('+'), iso.lastIndexOf('-'));
    if (sign <= 10) {
      return iso;
    }
    int digits = n - sign - 1;
    if ((digits != 4 && digits != 6) || digits(iso, sign + 1, n) < 0) {
      return iso;
    }
    StringBuilder sb = new StringBuilder(n + 2).append(iso, 0, sign + 3);
    for (int i = sign + 3; i < n; i += 2) {
      sb.append(':').append(iso, i, i + 2);
    }
    return sb.toString();
  }

  /** ISO with a space between date and time is accepted: {@code 2024-03-15 07:00:00}. */
  private static String withT(String t) {
    if (t.length() > 10 && t.charAt(10) == ' ') {
      return t.substring(0, 10) + 'T' + t.substring(11);
    }
    return t;
  }
}
