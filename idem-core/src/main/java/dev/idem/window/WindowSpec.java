package dev.idem.window;

import dev.idem.ConfigException;
import dev.idem.DataException;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How input is cut into windows: the kind, the column that assigns a record to a time window, and
 * the time zone in which days are counted and zone-less timestamps are read.
 */
public record WindowSpec(WindowKind kind, String column, ZoneId zone) implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final DateTimeFormatter HOUR_ID =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH'Z'").withResolverStyle(ResolverStyle.STRICT);

  /** Upper bound on the number of windows one range may expand to. */
  public static final int MAX_RANGE = 100_000;

  public WindowSpec {
    Objects.requireNonNull(kind, "kind");
    zone = zone == null ? ZoneOffset.UTC : zone;
    if ((kind == WindowKind.DAY || kind == WindowKind.HOUR)
        && (column == null || column.isEmpty())) {
      throw new ConfigException(
          "window kind "
              + kind.name().toLowerCase(Locale.ROOT)
              + " needs 'column': the column whose value assigns a record to its window");
    }
  }

  public static WindowSpec day(String column, ZoneId zone) {
    return new WindowSpec(WindowKind.DAY, column, zone);
  }

  public static WindowSpec hour(String column, ZoneId zone) {
    return new WindowSpec(WindowKind.HOUR, column, zone);
  }

  public static WindowSpec full() {
    return new WindowSpec(WindowKind.FULL, null, null);
  }

  public static WindowSpec batch() {
    return new WindowSpec(WindowKind.BATCH, null, null);
  }

  public static WindowSpec file() {
    return new WindowSpec(WindowKind.FILE, null, null);
  }

  public static WindowSpec offsets() {
    return new WindowSpec(WindowKind.OFFSETS, null, null);
  }

  /**
   * The id of a stream window: partition {@code orders-0} from offset {@code 1000} is {@code
   * orders-0@1000}.
   */
  public static String offsetsId(String topic, int partition, long start) {
    return topic + "-" + partition + "@" + start;
  }

  /** A stream window's id taken apart; refused with a readable message when it is not one. */
  public record OffsetsId(String topic, int partition, long start) {
    public static OffsetsId parse(String id) {
      int at = id.lastIndexOf('@');
      int dash = at < 0 ? -1 : id.lastIndexOf('-', at);
      try {
        if (dash > 0) {
          OffsetsId parsed =
              new OffsetsId(
                  id.substring(0, dash),
                  Integer.parseInt(id.substring(dash + 1, at)),
                  Long.parseLong(id.substring(at + 1)));
          if (parsed.partition >= 0 && parsed.start >= 0) {
            return parsed;
          }
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ConfigException(
          "window '"
              + id
              + "' is not a stream window: expected topic-partition@offset, e.g. orders-0@1000");
    }

    /** The partition's name, {@code orders-0}. */
    public String partitionName() {
      return topic + "-" + partition;
    }
  }

  public boolean timeBased() {
    return kind == WindowKind.DAY || kind == WindowKind.HOUR;
  }

  /** The window with the given id; the id is checked against the kind. */
  public Window window(String id) {
    return switch (kind) {
      case DAY, HOUR -> timeWindow(id);
      case FULL -> {
        if (!id.equals("full")) {
          throw new ConfigException(
              "window '"
                  + id
                  + "' does not exist: a full-refresh pipeline has the single window 'full'");
        }
        yield Window.full();
      }
      case BATCH -> Window.batch(id);
      case FILE -> new Window(id, WindowKind.FILE, null, null);
      case OFFSETS -> {
        OffsetsId.parse(id); // checks the form
        yield new Window(id, WindowKind.OFFSETS, null, null);
      }
    };
  }

  /**
   * The day or hour window with this id, written as idem writes it ({@code 2024-03-15}, {@code
   * 2024-03-15T07Z}) or as a scheduler writes the window's start ({@link SchedulerTime}: {@code
   * 2024-03-15T07:00:00+00:00}); a time that is not a window's start is refused.
   */
  private Window timeWindow(String id) {
    try {
      return kind == WindowKind.DAY ? day(parseDay(id)) : hour(parseHour(id));
    } catch (ConfigException e) {
      Instant at = SchedulerTime.tryParse(id, zone);
      if (at == null) {
        throw e;
      }
      Window w = covering(at);
      if (!w.start().equals(at)) {
        throw new ConfigException(
            "window '"
                + id
                + "' is not the start of "
                + (kind == WindowKind.DAY ? "a day" : "an hour")
                + " window (that would be "
                + w.id()
                + "): use --logical-date to select the window covering a time");
      }
      return w;
    }
  }

  /** The day or hour window covering the instant {@code at}. */
  public Window covering(Instant at) {
    requireTime("--logical-date");
    return assign(at);
  }

  /**
   * Every day or hour window overlapping {@code [start, end)}; an empty interval ({@code start}
   * equal to {@code end}, as Airflow passes for an unscheduled run) selects the window covering it.
   */
  public List<Window> overlapping(Instant start, Instant end) {
    requireTime("--data-interval-start/--data-interval-end");
    if (start.isAfter(end)) {
      throw new ConfigException(
          "--data-interval-start " + start + " is after --data-interval-end " + end);
    }
    Window first = covering(start);
    return from(
        first, w -> w.equals(first) || w.start().isBefore(end), "interval " + start + ".." + end);
  }

  /** The windows from {@code first} on while {@code more} holds, at most {@link #MAX_RANGE}. */
  private List<Window> from(Window first, Predicate<Window> more, String what) {
    List<Window> all = new ArrayList<>();
    for (Window w = first; more.test(w); w = next(w)) {
      all.add(w);
      if (all.size() > MAX_RANGE) {
        throw new ConfigException(what + " has more than " + MAX_RANGE + " windows");
      }
    }
    return all;
  }

  private void requireTime(String flags) {
    if (!timeBased()) {
      throw new ConfigException(
          flags
              + " need day or hour windows; this pipeline has "
              + kind.name().toLowerCase(Locale.ROOT)
              + " windows");
    }
  }

  /** Every window from {@code from} to {@code to}, both included (day and hour kinds only). */
  public List<Window> range(String from, String to) {
    requireTime("--from/--to");
    Window first = window(from);
    Window last = window(to);
    if (first.compareTo(last) > 0) {
      throw new ConfigException("--from " + from + " is after --to " + to);
    }
    return from(first, w -> w.compareTo(last) <= 0, "range " + from + ".." + to);
  }

  private Window next(Window w) {
    return kind == WindowKind.DAY
        ? day(LocalDate.ofInstant(w.start(), zone).plusDays(1))
        : hour(w.end());
  }

  /**
   * The window a record belongs to, from the value of the window column: a date, a timestamp (read
   * in the spec's zone), a timestamptz, or their ISO text.
   */
  public Window assign(Object value) {
    Instant at = instant(value);
    return kind == WindowKind.DAY
        ? day(LocalDate.ofInstant(at, zone))
        : hour(at.truncatedTo(ChronoUnit.HOURS));
  }

  private Instant instant(Object value) {
    if (value == null) {
      throw new DataException(
          "window column '"
              + column
              + "' is null: every record needs a value to be assigned to a window");
    }
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof LocalDateTime t) {
      return t.atZone(zone).toInstant();
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay(zone).toInstant();
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    throw new DataException(
        "window column '"
            + column
            + "' holds "
            + value.getClass().getSimpleName()
            + ": expected a date, timestamp or timestamptz column");
  }

  private Window day(LocalDate d) {
    ZonedDateTime start = d.atStartOfDay(zone);
    return new Window(
        d.toString(),
        WindowKind.DAY,
        start.toInstant(),
        d.plusDays(1).atStartOfDay(zone).toInstant());
  }

  private static Window hour(Instant start) {
    return new Window(
        HOUR_ID.format(start.atOffset(ZoneOffset.UTC)),
        WindowKind.HOUR,
        start,
        start.plus(1, ChronoUnit.HOURS));
  }

  private static LocalDate parseDay(String id) {
    try {
      return LocalDate.parse(id);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          "window '" + id + "' is not a day: expected yyyy-MM-dd, e.g. 2024-03-15");
    }
  }

  private static Instant parseHour(String id) {
    try {
      return LocalDateTime.parse(id, HOUR_ID).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          "window '"
              + id
              + "' is not a UTC hour: expected yyyy-MM-ddTHHZ, e.g. 2024-03-15T07Z, or a time such as"
              + " 2024-03-15T07:00:00+00:00");
    }
  }

  /** A stable description, part of the pipeline's definition hash. */
  public String describe() {
    return kind.name().toLowerCase(Locale.ROOT)
        + (column == null ? "" : " by " + column + " in " + zone.getId());
  }
}
