package dev.idem.source.file;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keys csv and jsonl sources share: which files ({@code path}) and their {@code encoding}; a
 * file source of another module reads its {@code path} with {@link #files}.
 */
public final class FileSection {
  /** The keys of a csv or jsonl source. */
  static final List<String> KEYS =
      List.of("type", "path", "delimiter", "quote", "header", "null", "encoding");

  private static final Pattern GLOB = Pattern.compile("[*?\\[{]");

  private FileSection() {}

  /** The schema of a file source's section: its type, path and encoding, then {@code more}. */
  static Map<String, Object> schema(String type, Object... more) {
    Map<String, Object> p =
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type),
            "path",
            ConfigSchema.string(
                "a file or glob, relative to the pipeline file (data/orders-*.csv)"),
            "encoding",
            ConfigSchema.string("the files' encoding, e.g. UTF-8 (the default) or ISO-8859-1"));
    p.putAll(ConfigSchema.properties(more));
    return ConfigSchema.mapping(p, List.of("type", "path"), null);
  }

  /** The section, its keys checked: a typo is reported as such. */
  static Section of(ConfigNode.Mapping node) {
    Section s = Section.of("source", node);
    s.checkKeys(KEYS);
    s.requiredScalar("type");
    return s;
  }

  /**
   * A relative path stays as written, against the pipeline file's directory, so the source's
   * description (part of the definition hash) does not change when the project moves. An absolute
   * path is split at its first glob segment: the part before is the base directory.
   */
  public static FileSet files(Section s, ConnectorContext context) {
    ConfigNode.Scalar node = s.requiredScalar("path");
    String text = node.value().strip().replace('\\', '/');
    if (text.isEmpty()) {
      throw new ConfigProblem(
          node.where(), "source.path: expected a file path or glob, got an empty string");
    }
    try {
      if (!text.startsWith("/")) {
        return new FileSet(context.directory(), text);
      }
      String[] parts = text.substring(1).split("/+");
      int firstGlob = parts.length - 1;
      for (int i = 0; i < parts.length; i++) {
        if (GLOB.matcher(parts[i]).find()) {
          firstGlob = i;
          break;
        }
      }
      String base = "/" + String.join("/", Arrays.copyOfRange(parts, 0, firstGlob));
      String pattern = String.join("/", Arrays.copyOfRange(parts, firstGlob, parts.length));
      return Section.bind(node, "source.path", () -> new FileSet(Path.of(base), pattern));
    } catch (InvalidPathException e) {
      throw new ConfigProblem(
          node.where(), "source.path: '" + node.display() + "' is not a valid path");
    }
  }

  /** The {@code encoding}, or null when not given. */
  static Charset encoding(Section s) {
    ConfigNode.Scalar e = s.optionalScalar("encoding");
    if (e == null) {
      return null;
    }
    try {
      return Charset.forName(e.value().strip());
    } catch (IllegalArgumentException ex) {
      throw new ConfigProblem(
          e.where(),
          "source.encoding: unknown encoding '"
              + e.display()
              + "': expected e.g. UTF-8 or ISO-8859-1");
    }
  }
}
