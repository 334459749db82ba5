package dev.idem.connector;

import dev.idem.ConfigException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of a pipeline file being bound, with its path ({@code source}, {@code target.key};
 * empty for the top level): typed access whose every error is a {@link ConfigProblem} that names
 * the line and what was expected. Connectors read their section through it, so all sections word
 * their errors alike.
 */
public final class Section {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String path;
  private final ConfigNode.Mapping node;

  private Section(String path, ConfigNode.Mapping node) {
    this.path = path;
    this.node = node;
  }

  /** The mapping {@code node} at {@code path}; empty path for the top level. */
  public static Section of(String path, ConfigNode.Mapping node) {
    return new Section(path, node);
  }

  /** The node at {@code path} as a section; a problem when it is not a mapping. */
  public static Section of(String path, ConfigNode node) {
    return new Section(path, mapping(node, path));
  }

  public String path() {
    return path;
  }

  public ConfigNode.Mapping node() {
    return node;
  }

  public Location where() {
    return node.where();
  }

  /**
   * The path of one of this section's keys: {@code source.url}, or {@code pipeline} at the top
   * level.
   */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The value of {@code key}, null when absent. */
  public ConfigNode get(String key) {
    return node.get(key);
  }

  /** True when {@code key} is present with a value. */
  public boolean has(String key) {
    ConfigNode n = node.get(key);
    return n != null && !n.isNull();
  }

  /** A problem at where {@code key} was written (the section itself when it is absent). */
  public ConfigProblem problem(String key, String message) {
    ConfigNode.Entry e = node.entry(key);
    return new ConfigProblem(e != null ? e.where() : node.where(), message);
  }

  /** Refuses any key not in {@code allowed}, suggesting the closest one. */
  public void checkKeys(List<String> allowed) {
    for (ConfigNode.Entry e : node.entries().values()) {
      if (!allowed.contains(e.key())) {
        throw new ConfigProblem(e.where(), unknownKey(e.key(), path, allowed));
      }
    }
  }

  /** A present, non-null value. */
  public ConfigNode required(String key) {
    ConfigNode n = node.get(key);
    if (n == null) {
      String in = path.isEmpty() ? "" : path + ": ";
      throw new ConfigProblem(
          node.where(),
          in + "missing required key '" + key + "'" + (path.isEmpty() ? " at the top level" : ""));
    }
    if (n.isNull()) {
      throw new ConfigProblem(n.where(), pathOf(key) + ": expected a value, got nothing");
    }
    return n;
  }

  /** A present scalar that is not blank. */
  public ConfigNode.Scalar requiredScalar(String key) {
    ConfigNode.Scalar s = scalar(required(key), pathOf(key));
    if (s.value().isBlank()) {
      throw new ConfigProblem(s.where(), pathOf(key) + ": expected a value, got an empty string");
    }
    return s;
  }

  /** A scalar, or null when the key is absent or has no value. */
  public ConfigNode.Scalar optionalScalar(String key) {
    ConfigNode n = node.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    return scalar(n, pathOf(key));
  }

  /** One character; {@code \t} or {@code tab} is a tab. */
  public char character(String key, char fallback) {
    ConfigNode.Scalar s = optionalScalar(key);
    if (s == null) {
      return fallback;
    }
    String v = s.value();
    if (v.equals("\\t") || v.equals("tab")) {
      return '\t';
    }
    if (v.length() != 1) {
      throw new ConfigProblem(
          s.where(),
          pathOf(key)
              + ": expected one character (quote it, e.g. \";\"), got '"
              + s.display()
              + "'");
    }
    return v.charAt(0);
  }

  /** A YAML boolean (true, false, yes, no, on, off). */
  public boolean bool(String key, boolean fallback) {
    ConfigNode.Scalar s = optionalScalar(key);
    if (s == null) {
      return fallback;
    }
    if (s.type() == ConfigNode.Scalar.Type.BOOLEAN) {
      String v = s.value().toLowerCase(Locale.ROOT);
      return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y");
    }
    throw new ConfigProblem(
        s.where(),
        pathOf(key)
            + ": expected true or false, got "
            + s.describeKind()
            + " '"
            + s.display()
            + "'");
  }

  /**
   * {@code 10m}, {@code 30s}, {@code 2h}, {@code 1d}, {@code 500ms}, {@code 0} or ISO-8601 ({@code
   * PT10M}).
   */
  public Duration duration(String key, Duration fallback) {
    ConfigNode.Scalar s = optionalScalar(key);
    if (s == null) {
      return fallback;
    }
    String t = s.value().strip().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    try {
      if (t.equals("0")) {
        return Duration.ZERO;
      }
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      Duration d = Duration.parse(s.value().strip());
      if (!d.isNegative()) {
        return d;
      }
    } catch (ArithmeticException | DateTimeParseException e) {
      // reported below
    }
    throw new ConfigProblem(
        s.where(),
        pathOf(key)
            + ": expected a duration such as 10m, 30s, 2h, 1d or PT10M, got '"
            + s.display()
            + "'");
  }

  /** A whole number of at least 1. */
  public int positiveInt(String key, int fallback) {
    ConfigNode.Scalar s = optionalScalar(key);
    if (s == null) {
      return fallback;
    }
    if (s.type() == ConfigNode.Scalar.Type.INTEGER) {
      try {
        int n = Integer.parseInt(s.value().strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new ConfigProblem(
        s.where(),
        pathOf(key) + ": expected a whole number of at least 1, got '" + s.display() + "'");
  }

  /**
   * Every key but {@code own} as a driver or client property, passed on as is. A value under a
   * password-like key is learned by {@code secrets}, written in the file or not.
   */
  public Properties properties(List<String> own, Secrets secrets) {
    Properties properties = new Properties();
    for (Map.Entry<String, ConfigNode.Entry> e : node.entries().entrySet()) {
      if (!own.contains(e.getKey())) {
        String value =
            scalarValue(e.getValue().value(), pathOf(e.getKey()), "a connection property value");
        properties.setProperty(e.getKey(), value);
        secrets.addProperty(e.getKey(), value);
      }
    }
    return properties;
  }

  /**
   * Runs a core constructor; its ConfigException is reported at {@code at}, prefixed with {@code
   * path}.
   */
  public static <T> T bind(ConfigNode at, String path, Supplier<T> call) {
    try {
      return call.get();
    } catch (ConfigProblem e) {
      throw e;
    } catch (ConfigException e) {
      throw new ConfigProblem(at.where(), path + ": " + e.getMessage(), e);
    }
  }

  /** The node as a scalar; a problem naming {@code path} when it is a list or mapping. */
  public static ConfigNode.Scalar scalar(ConfigNode n, String path) {
    if (n instanceof ConfigNode.Scalar s) {
      return s;
    }
    throw new ConfigProblem(n.where(), path + ": expected a single value, got " + n.describeKind());
  }

  /** The node's text; a problem saying what was {@code expected} when it has none. */
  public static String scalarValue(ConfigNode n, String path, String expected) {
    if (n instanceof ConfigNode.Scalar s && !s.isNull()) {
      return s.value();
    }
    throw new ConfigProblem(
        n.where(), path + ": expected " + expected + ", got " + n.describeKind());
  }

  /** The node as a mapping; a problem naming {@code path} otherwise. */
  public static ConfigNode.Mapping mapping(ConfigNode n, String path) {
    if (n instanceof ConfigNode.Mapping m) {
      return m;
    }
    throw new ConfigProblem(
        n.where(), path + ": expected a mapping (key: value lines), got " + n.describeKind());
  }

  /** "unknown key 'strtegy' in target: expected one of table, ... (did you mean 'strategy'?)" */
  public static String unknownKey(String key, String section, List<String> allowed) {
    String in = section.isEmpty() ? "at the top level" : "in " + section;
    String hint = closest(key, allowed).map(s -> " (did you mean '" + s + "'?)").orElse("");
    return "unknown key '"
        + key
        + "' "
        + in
        + ": expected one of "
        + String.join(", ", allowed)
        + hint;
  }

  /** "a, b or c". */
  public static String oneOf(List<String> names) {
    if (names.size() <= 1) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1))
        + " or "
        + names.get(names.size() - 1);
  }

  private static Optional<String> closest(String key, List<String> allowed) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String a : allowed) {
      int d = distance(key.toLowerCase(Locale.ROOT), a);
      if (d < bestDistance) {
        best = a;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 3)
        ? Optional.ofNullable(best)
        : Optional.empty();
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
