package dev.idem.connector;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A section of a pipeline file as a small neutral tree that remembers where each node was written,
 * so every binding error can name its line. The command line builds it from YAML; a connector binds
 * its section from it without knowing the file format.
 */
public sealed interface ConfigNode
    permits ConfigNode.Mapping, ConfigNode.Sequence, ConfigNode.Scalar {
  /** {@code pipeline.yaml:12}, or {@code --set target.table} for an override. */
  Location where();

  /** What kind of node this is, for "expected X, got Y" messages. */
  String describeKind();

  /** True for a scalar without a value ({@code key:} or {@code key: null}). */
  default boolean isNull() {
    return false;
  }

  /** The node of a Java value: a map, a list, a string, a number, a boolean or null. */
  private static ConfigNode of(Location where, Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Entry> entries = new LinkedHashMap<>();
      map.forEach(
          (k, v) ->
              entries.put(String.valueOf(k), new Entry(String.valueOf(k), where, of(where, v))));
      return new Mapping(where, entries);
    }
    if (value instanceof List<?> list) {
      return new Sequence(where, list.stream().map(v -> of(where, v)).toList());
    }
    Scalar.Type type =
        value == null
            ? Scalar.Type.NULL
            : value instanceof Boolean
                ? Scalar.Type.BOOLEAN
                : value instanceof Integer || value instanceof Long
                    ? Scalar.Type.INTEGER
                    : value instanceof Number ? Scalar.Type.FLOAT : Scalar.Type.STRING;
    return Scalar.of(where, value == null ? "" : String.valueOf(value), type);
  }

  /** A mapping; entries keep their order of appearance. */
  record Mapping(Location where, Map<String, Entry> entries) implements ConfigNode {
    public Mapping {
      entries = new LinkedHashMap<>(entries);
    }

    /**
     * A mapping built from Java values (maps, lists, strings, numbers, booleans, null), every node
     * placed at {@code where}: how a program or a test binds a connector's section without a file.
     */
    public static Mapping of(String where, Map<String, ?> values) {
      return (Mapping) ConfigNode.of(Location.of(where), values);
    }

    /** The value of {@code key}, or null when the key is absent. */
    public ConfigNode get(String key) {
      Entry e = entries.get(key);
      return e == null ? null : e.value();
    }

    /** The entry of {@code key} (with where the key was written), or null when absent. */
    public Entry entry(String key) {
      return entries.get(key);
    }

    @Override
    public Map<String, Entry> entries() {
      return Collections.unmodifiableMap(entries);
    }

    @Override
    public String describeKind() {
      return "a mapping";
    }
  }

  /** One key of a mapping, with where the key itself was written. */
  record Entry(String key, Location where, ConfigNode value) {}

  /** A list. */
  record Sequence(Location where, List<ConfigNode> items) implements ConfigNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describeKind() {
      return "a list";
    }
  }

  /**
   * A scalar. {@code value} is the text after {@code ${env:...}} substitution; {@code source} is
   * the text as written. When {@code secret} is set the value came (at least partly) from the
   * environment and must never be shown: messages use {@link #display()}.
   */
  record Scalar(Location where, String value, Type type, String source, boolean secret)
      implements ConfigNode {
    /** What the value reads as in the file. */
    public enum Type {
      NULL,
      BOOLEAN,
      INTEGER,
      FLOAT,
      STRING
    }

    /** A plain value as written, with no placeholder in it. */
    public static Scalar of(Location where, String value, Type type) {
      return new Scalar(where, value, type, value, false);
    }

    /** The text to show in a message: as written when it holds a secret. */
    public String display() {
      return secret ? source : value;
    }

    @Override
    public boolean isNull() {
      return type == Type.NULL;
    }

    @Override
    public String describeKind() {
      return switch (type) {
        case NULL -> "nothing (null)";
        case BOOLEAN -> "a boolean";
        case INTEGER -> "an integer";
        case FLOAT -> "a number";
        case STRING -> "a string";
      };
    }
  }
}
