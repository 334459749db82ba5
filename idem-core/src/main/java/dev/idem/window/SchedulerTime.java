package dev.idem.window;

import dev.idem.ConfigException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;

/**
 * A date or time as schedulers pass it ({@code --logical-date}, {@code --data-interval-start}, a
 * window id written as a time): Airflow's {@code 2024-05-01T00:00:00+00:00} and {@code
 * 2024-05-01T00:00:00.000000+00:00}, {@code 2024-05-01T00:00:00Z}, {@code 2024-05-01
 * 00:00:00+00:00} (a space for the {@code T}), a date {@code 2024-05-01} (midnight in the window
 * zone), a time without offset {@code 2024-05-01T00:00:00} (read in the window zone, as zone-less
 * window columns are), Dagster's hourly partition key {@code 2024-05-01-00:00} (in the window
 * zone), and idem's own hour id {@code 2024-05-01T00Z}. Seconds and their fraction are optional.
 */
public final class SchedulerTime {
  /** The forms accepted, as a bad value's message lists them. */
  public static final String FORMS =
      "2024-05-01, 2024-05-01T00:00:00+00:00, 2024-05-01T00:00:00Z,"
          + " 2024-05-01T00:00:00.000000+00:00, 2024-05-01 00:00:00+00:00,"
          + " 2024-05-01T00:00:00 (in the window zone) or 2024-05-01T00Z";

  private static final DateTimeFormatter HOUR_ID =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH'Z'").withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DAGSTER_HOUR =
      DateTimeFormatter.ofPattern("uuuu-MM-dd-HH:mm").withResolverStyle(ResolverStyle.STRICT);

  private SchedulerTime() {}

  /**
   * The instant {@code value} names, zone-less forms read in {@code zone}; a value in none of the
   * forms is refused with a one-line message naming {@code what} (the flag), the value and the
   * forms.
   */
  public static Instant parse(String what, String value, ZoneId zone) {
    Instant at = tryParse(value, zone);
    if (at == null) {
      throw new ConfigException(
          what + " '" + value + "' is not a date or time: expected one of " + FORMS);
    }
    return at;
  }

  /** The instant {@code value} names, or null when it is in none of the forms. */
  public static Instant tryParse(String value, ZoneId zone) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.length() > 10 && v.charAt(10) == ' ') {
      v = v.substring(0, 10) + 'T' + v.substring(11);
    }
    try {
      if (v.length() == 10) {
        return LocalDate.parse(v).atStartOfDay(zone).toInstant();
      }
      if (v.length() == 14 && v.endsWith("Z")) {
        return LocalDateTime.parse(v, HOUR_ID).atZone(ZoneOffset.UTC).toInstant();
      }
      if (v.length() == 16 && v.charAt(10) == '-') {
        return LocalDateTime.parse(v, DAGSTER_HOUR).atZone(zone).toInstant();
      }
      if (hasOffset(v)) {
        return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      }
      return LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(zone).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** An offset ({@code Z}, {@code +00:00}, {@code -05:00}) after the time part. */
  private static boolean hasOffset(String v) {
    int t = v.indexOf('T');
    if (t < 0) {
      return false;
    }
    String time = v.substring(t + 1);
    return time.endsWith("Z") || time.indexOf('+') >= 0 || time.indexOf('-') >= 0;
  }
}
