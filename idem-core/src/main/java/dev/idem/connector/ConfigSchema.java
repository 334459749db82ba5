package dev.idem.connector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A piece of JSON Schema (draft 2020-12) describing a pipeline-file section, as plain maps and
 * lists (core has no JSON library): the command line assembles the pipeline file's schema from the
 * connectors' pieces ({@code idem schema pipeline}) and prints it. Editors use it to validate and
 * complete the YAML as it is typed; the factory's binding stays the judge. Every scalar may also be
 * an {@code ${env:NAME}} placeholder, so typed keys accept one.
 */
public final class ConfigSchema {
  /** A value substituted from the environment when the file is read. */
  private static final String PLACEHOLDER = ".*\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}.*";

  private ConfigSchema() {}

  /** A string. */
  public static Map<String, Object> string(String description) {
    return node("type", "string", "description", description);
  }

  /** One of {@code values}. */
  public static Map<String, Object> oneOf(String description, String... values) {
    return node("enum", List.of(values), "description", description);
  }

  /** A whole number of at least {@code minimum}, or a placeholder. */
  public static Map<String, Object> integer(String description, long minimum) {
    return orPlaceholder(node("type", "integer", "minimum", minimum), description);
  }

  /** true or false (YAML's yes/no too), or a placeholder. */
  public static Map<String, Object> bool(String description) {
    return orPlaceholder(node("type", "boolean"), description);
  }

  /** A duration: 500ms, 30s, 10m, 2h, 1d, 0 or ISO-8601 (PT10M). */
  public static Map<String, Object> duration(String description) {
    return node(
        "type",
        "string",
        "pattern",
        "^\\s*(0|\\d+\\s*(ms|s|m|h|d)|[Pp][Tt]?[0-9].*|" + PLACEHOLDER + ")\\s*$",
        "description",
        description);
  }

  /** Any scalar value (a connection or client property). */
  public static Map<String, Object> scalar(String description) {
    return node("type", List.of("string", "number", "boolean"), "description", description);
  }

  /**
   * A mapping with these {@code properties} (name to schema), {@code required} names, and other
   * keys allowed as {@code others} says (null: none allowed).
   */
  public static Map<String, Object> mapping(
      Map<String, Object> properties, List<String> required, Map<String, Object> others) {
    Map<String, Object> m = node("type", "object", "properties", properties);
    if (!required.isEmpty()) {
      m.put("required", required);
    }
    if (others == null) {
      m.put("additionalProperties", false);
    } else {
      m.put("additionalProperties", others);
    }
    return m;
  }

  /** Ordered properties: name, schema, name, schema... */
  public static Map<String, Object> properties(Object... nameThenSchema) {
    return node(nameThenSchema);
  }

  /** The key {@code type} of a section: this constant. */
  public static Map<String, Object> type(String type) {
    return node("const", type);
  }

  private static Map<String, Object> orPlaceholder(Map<String, Object> typed, String description) {
    return node(
        "anyOf",
        List.of(typed, node("type", "string", "pattern", "^" + PLACEHOLDER + "$")),
        "description",
        description);
  }

  /** A map of key, value, key, value..., in order. */
  private static Map<String, Object> node(Object... keyThenValue) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> kv = new ArrayList<>(Arrays.asList(keyThenValue));
    for (int i = 0; i < kv.size(); i += 2) {
      m.put((String) kv.get(i), kv.get(i + 1));
    }
    return m;
  }
}
