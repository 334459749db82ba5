package dev.idem.cli.pipelinefile;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.Location;
import dev.idem.connector.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML into a {@link ConfigNode} tree with SnakeYAML's node API (which keeps line numbers),
 * substituting {@code ${env:NAME}} in scalars. Duplicate keys are errors, not "last one wins".
 */
final class YamlReader {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");

  private final Function<String, String> env;
  private final Secrets secrets;

  YamlReader(Function<String, String> env, Secrets secrets) {
    this.env = env;
    this.secrets = secrets;
  }

  /** The file's top-level mapping. {@code name} is how the file is named in messages. */
  ConfigNode.Mapping readFile(Path file, String name) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new PipelineFileException(Location.of(name), "no such file");
    } catch (MalformedInputException e) {
      throw new PipelineFileException(Location.of(name), "not valid UTF-8");
    } catch (IOException e) {
      throw new PipelineFileException(Location.of(name), "cannot read: " + e.getMessage(), e);
    }
    Node root = compose(new StringReader(text), name, 0);
    if (root == null) {
      throw new PipelineFileException(
          new Location(name, 1, 1),
          "the file is empty: expected a mapping with pipeline, source, columns and target");
    }
    ConfigNode tree = convert(root, name, 0, "");
    if (!(tree instanceof ConfigNode.Mapping m)) {
      throw new PipelineFileException(
          tree.where(),
          "expected a mapping with pipeline, source, columns and target, got "
              + tree.describeKind());
    }
    return m;
  }

  /** A {@code --set} value, parsed as YAML (a scalar, or a flow list such as {@code [a, b]}). */
  ConfigNode readValue(String text, String where, String path) {
    Node node;
    try {
      node = compose(new StringReader(text), where, -1);
    } catch (PipelineFileException e) {
      // Not YAML (e.g. a glob such as *.csv, which YAML reads as an alias): take the text as it is.
      return scalar(Location.of(where), path, text, Tag.STR, false);
    }
    if (node == null) {
      return scalar(Location.of(where), path, text.strip(), Tag.STR, true);
    }
    return convert(node, where, -1, path);
  }

  private static Node compose(Reader reader, String name, int lineBase) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by convert() with both lines
    options.setMaxAliasesForCollections(50);
    try {
      return new Yaml(new SafeConstructor(options)).compose(reader);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      Location where =
          lineBase < 0 || mark == null
              ? Location.of(name)
              : new Location(name, mark.getLine() + 1, mark.getColumn() + 1);
      throw new PipelineFileException(where, "YAML syntax error: " + oneLine(problem));
    } catch (YAMLException e) {
      throw new PipelineFileException(
          Location.of(name), "YAML syntax error: " + oneLine(e.getMessage()));
    }
  }

  private static String oneLine(String s) {
    return s == null ? "unreadable YAML" : s.replaceAll("\\s+", " ").strip();
  }

  private static Location where(String name, int lineBase, Node node) {
    return lineBase < 0
        ? Location.of(name)
        : new Location(
            name, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
  }

  private ConfigNode convert(Node node, String name, int lineBase, String path) {
    Location where = where(name, lineBase, node);
    if (node instanceof ScalarNode s) {
      return scalar(
          where,
          path,
          s.getValue(),
          s.getTag(),
          s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN);
    }
    if (node instanceof SequenceNode seq) {
      List<ConfigNode> items = new ArrayList<>();
      for (int i = 0; i < seq.getValue().size(); i++) {
        items.add(convert(seq.getValue().get(i), name, lineBase, path + "[" + i + "]"));
      }
      return new ConfigNode.Sequence(where, items);
    }
    MappingNode map = (MappingNode) node;
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      Location keyWhere = where(name, lineBase, t.getKeyNode());
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new PipelineFileException(
            keyWhere,
            (path.isEmpty() ? "" : path + ": ")
                + "a key must be a plain name, not a list or mapping");
      }
      String key = k.getValue();
      ConfigNode.Entry first = entries.get(key);
      if (first != null) {
        throw new PipelineFileException(
            keyWhere,
            "duplicate key '"
                + key
                + "'"
                + (path.isEmpty() ? "" : " in " + path)
                + " (first at "
                + first.where()
                + ")");
      }
      String childPath = path.isEmpty() ? key : path + "." + key;
      entries.put(
          key,
          new ConfigNode.Entry(
              key, keyWhere, convert(t.getValueNode(), name, lineBase, childPath)));
    }
    return new ConfigNode.Mapping(where, entries);
  }

  private ConfigNode.Scalar scalar(
      Location where, String path, String text, Tag tag, boolean plain) {
    Matcher m = ENV.matcher(text);
    if (!m.find()) {
      return new ConfigNode.Scalar(where, text, type(tag), text, false);
    }
    StringBuilder out = new StringBuilder();
    m.reset();
    while (m.find()) {
      String variable = m.group(1);
      String value = env.apply(variable);
      if (value == null) {
        throw new PipelineFileException(
            where,
            (path.isEmpty() ? "" : path + ": ")
                + "environment variable "
                + variable
                + " is not set");
      }
      secrets.add(value);
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String value = out.toString();
    // A plain scalar that was all placeholder takes the type its value reads as (port:
    // ${env:PORT}).
    ConfigNode.Scalar.Type type = ConfigNode.Scalar.Type.STRING;
    if (plain && (value.equals("true") || value.equals("false"))) {
      type = ConfigNode.Scalar.Type.BOOLEAN;
    } else if (plain && INTEGER.matcher(value).matches()) {
      type = ConfigNode.Scalar.Type.INTEGER;
    }
    return new ConfigNode.Scalar(where, value, type, text, true);
  }

  private static ConfigNode.Scalar.Type type(Tag tag) {
    if (Tag.NULL.equals(tag)) {
      return ConfigNode.Scalar.Type.NULL;
    }
    if (Tag.BOOL.equals(tag)) {
      return ConfigNode.Scalar.Type.BOOLEAN;
    }
    if (Tag.INT.equals(tag)) {
      return ConfigNode.Scalar.Type.INTEGER;
    }
    if (Tag.FLOAT.equals(tag)) {
      return ConfigNode.Scalar.Type.FLOAT;
    }
    return ConfigNode.Scalar.Type.STRING;
  }
}
