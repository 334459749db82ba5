package dev.idem.pipeline;

import dev.idem.ConfigException;
import dev.idem.context.RunContext;
import dev.idem.schema.DataType;
import dev.idem.window.Window;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The named parameters a SQL transform may use: {@code :logical_date} (a {@code DATE}), {@code
 * :window_start} and {@code :window_end} (the window's bounds {@code [start, end)}, typed like the
 * window column). A name is a colon and an identifier outside string literals, quoted identifiers
 * and comments, not after a colon ({@code x::int}) or an identifier character ({@code a[1:n]}).
 * Each is replaced by a typed literal idem writes itself from the run's values, never by text from
 * the input or the command line.
 */
public final class TransformParameters {
  public static final String LOGICAL_DATE = "logical_date";
  public static final String WINDOW_START = "window_start";
  public static final String WINDOW_END = "window_end";

  /** The names, in the order the messages list them. */
  public static final List<String> NAMES = List.of(LOGICAL_DATE, WINDOW_START, WINDOW_END);

  private static final DateTimeFormatter INSTANT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

  /** One use of a parameter in the SQL text: its name and where its colon is. */
  public record Use(String name, int offset, int line) {}

  private TransformParameters() {}

  /** Every {@code :name} in {@code sql}, known or not, in order. */
  public static List<Use> scan(String sql) {
    List<Use> uses = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (c == '\'' || c == '"') {
        int end = closing(sql, i + 1, c);
        line += newlines(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += newlines(sql, i, end);
        i = end;
      } else if (c == '$' && i + 1 < n && sql.charAt(i + 1) == '$') {
        int end = sql.indexOf("$$", i + 2);
        end = end < 0 ? n : end + 2;
        line += newlines(sql, i, end);
        i = end;
      } else if (c == ':' && startsName(sql, i)) {
        int end = i + 1;
        while (end < n && identifierPart(sql.charAt(end))) {
          end++;
        }
        uses.add(new Use(sql.substring(i + 1, end), i, line));
        i = end;
      } else {
        i++;
      }
    }
    return uses;
  }

  /** The first unknown parameter of {@code sql}, or null when every one is known. */
  public static Use firstUnknown(String sql) {
    return scan(sql).stream().filter(u -> !NAMES.contains(u.name())).findFirst().orElse(null);
  }

  /** The one-line message for an unknown parameter. */
  public static String unknownMessage(Use use) {
    return "transform.sql: unknown parameter :"
        + use.name()
        + ", expected one of :"
        + String.join(", :", NAMES)
        + " (write :: for a cast)";
  }

  /** Refuses SQL with an unknown parameter (library users; the pipeline file names the line). */
  public static void check(String sql) {
    Use unknown = firstUnknown(sql);
    if (unknown != null) {
      throw new ConfigException(unknownMessage(unknown) + " at line " + unknown.line());
    }
  }

  /**
   * The SQL with each parameter replaced by its typed literal for this window. {@code
   * :window_start} and {@code :window_end} are typed like the window column ({@code kind}), as a
   * JDBC source query's are: a {@code DATE} or a {@code TIMESTAMP} in the window zone, else a
   * {@code TIMESTAMP WITH TIME ZONE}. {@code :logical_date} is the run's logical date, or without
   * one the date the window starts on in the window zone. A parameter without a value (an unbounded
   * window) is a typed NULL.
   */
  public static String bind(String sql, RunContext context, ZoneId zone, DataType.Kind kind) {
    List<Use> uses = scan(sql);
    if (uses.isEmpty()) {
      return sql;
    }
    Window w = context == null ? null : context.window();
    Instant start = w == null ? null : w.start();
    LocalDate date =
        context != null && context.logicalDate() != null
            ? context.logicalDate()
            : start == null ? null : LocalDate.ofInstant(start, zone);
    Map<String, String> literals =
        Map.of(
            LOGICAL_DATE,
            literal(date, LocalDate::toString, "DATE"),
            WINDOW_START,
            bound(start, zone, kind),
            WINDOW_END,
            bound(w == null ? null : w.end(), zone, kind));
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (Use u : uses) {
      String literal = literals.get(u.name());
      if (literal == null) {
        check(sql);
      }
      out.append(sql, from, u.offset()).append(literal);
      from = u.offset() + 1 + u.name().length();
    }
    return out.append(sql.substring(from)).toString();
  }

  private static String bound(Instant at, ZoneId zone, DataType.Kind kind) {
    if (kind == DataType.Kind.DATE) {
      return literal(
          at == null ? null : LocalDate.ofInstant(at, zone), LocalDate::toString, "DATE");
    }
    if (kind == DataType.Kind.TIMESTAMP) {
      return literal(
          at == null ? null : LocalDateTime.ofInstant(at, zone), LOCAL::format, "TIMESTAMP");
    }
    return literal(at, INSTANT::format, "TIMESTAMP WITH TIME ZONE");
  }

  /** {@code CAST('2024-05-01' AS DATE)}: the text is idem's own rendering of a date or time. */
  private static <T> String literal(T value, Function<T, String> text, String type) {
    return value == null
        ? "CAST(NULL AS " + type + ")"
        : "CAST('" + text.apply(value) + "' AS " + type + ")";
  }

  private static boolean startsName(String sql, int colon) {
    if (colon + 1 >= sql.length() || !identifierStart(sql.charAt(colon + 1))) {
      return false;
    }
    if (colon == 0) {
      return true;
    }
    char before = sql.charAt(colon - 1);
    return before != ':' && !identifierPart(before);
  }

  private static boolean identifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean identifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** The index after the quote closing one opened before {@code from} (doubled quotes escape). */
  private static int closing(String sql, int from, char quote) {
    int i = from;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  private static int newlines(String sql, int from, int to) {
    int count = 0;
    for (int i = from; i < to; i++) {
      if (sql.charAt(i) == '\n') {
        count++;
      }
    }
    return count;
  }
}
