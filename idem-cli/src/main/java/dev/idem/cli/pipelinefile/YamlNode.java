package dev.idem.cli.pipelinefile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline file as a small tree that remembers where each node came from ({@code file:line},
 * or {@code --set path} for an override), so every binding error can name its line. Jackson's
 * JsonNode drops locations, hence this tree.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {
  /** {@code pipeline.yaml:12} or {@code --set target.table}. */
  String where();

  /** What kind of node this is, for "expected X, got Y" messages. */
  String describeKind();

  /** A mapping; entries keep their order of appearance. */
  record Mapping(String where, Map<String, Entry> entries) implements YamlNode {
    public Mapping {
      entries = new LinkedHashMap<>(entries);
    }

    YamlNode get(String key) {
      Entry e = entries.get(key);
      return e == null ? null : e.value();
    }

    @Override
    public String describeKind() {
      return "a mapping";
    }
  }

  /** One key of a mapping, with where the key itself was written. */
  record Entry(String key, String where, YamlNode value) {}

  record Sequence(String where, List<YamlNode> items) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describeKind() {
      return "a list";
    }
  }

  /**
   * A scalar. {@code value} is the text after {@code ${env:...}} substitution; {@code source}
   * is the text as written. When {@code secret} is set the value came (at least partly) from the
   * environment and must never be shown: messages use {@link #display()}.
   */
  record Scalar(String where, String value, Type type, String source, boolean secret) implements YamlNode {
    enum Type { NULL, BOOLEAN, INTEGER, FLOAT, STRING }

    /** The text to show in a message: as written when it holds a secret. */
    String display() {
      return secret ? source : value;
    }

    boolean isNull() {
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
