package dev.idem.cli.pipelinefile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@code --set path=value} to the tree before binding, so an override is checked exactly
 * like the file itself. The path must name a key the file format knows; missing sections on the
 * way are created.
 */
final class Overrides {
  private Overrides() {}

  static YamlNode.Mapping apply(YamlNode.Mapping root, List<String> sets, YamlReader reader) {
    YamlNode.Mapping result = root;
    for (String set : sets) {
      int eq = set.indexOf('=');
      String path = (eq < 0 ? set : set.substring(0, eq)).strip();
      if (eq < 0 || path.isEmpty()) {
        // "--set target.strategy" (no '=') names the path it was meant for; "--set =x" has none.
        throw new PipelineFileException(path.isEmpty() ? "--set" : "--set " + path, "expected PATH=VALUE");
      }
      String where = "--set " + path;
      YamlNode value = reader.readValue(set.substring(eq + 1), where, path);
      result = put(result, "", List.of(path.split("\\.", -1)), value, where);
    }
    return result;
  }

  private static YamlNode.Mapping put(YamlNode.Mapping map, String section, List<String> path, YamlNode value, String where) {
    String key = path.get(0);
    List<String> allowed = Layout.keys(section).orElseThrow();
    if (key.isEmpty()) {
      throw new PipelineFileException(where, "the path has an empty segment: expected keys separated by '.', e.g. target.table");
    }
    if (allowed != Layout.ANY && !allowed.contains(key)) {
      throw new PipelineFileException(where, Layout.unknownKey(key, section, allowed));
    }
    String childSection = section.isEmpty() ? key : section + "." + key;
    Map<String, YamlNode.Entry> entries = new LinkedHashMap<>(map.entries());
    YamlNode newValue;
    if (path.size() == 1) {
      newValue = value;
    } else {
      Optional<List<String>> childKeys = Layout.keys(childSection);
      if (childKeys.isEmpty()) {
        throw new PipelineFileException(where, "'" + childSection + "' is a single value, it has no key '" + path.get(1) + "'");
      }
      YamlNode existing = map.get(key);
      YamlNode.Mapping child;
      if (existing instanceof YamlNode.Mapping m) {
        child = m;
      } else if (existing == null || existing instanceof YamlNode.Scalar s && s.isNull()) {
        child = new YamlNode.Mapping(where, Map.of());
      } else {
        // e.g. target.key is a list and --set target.key.hash=... turns it into a hash key
        child = new YamlNode.Mapping(where, Map.of());
      }
      newValue = put(child, childSection, path.subList(1, path.size()), value, where);
    }
    entries.put(key, new YamlNode.Entry(key, where, newValue));
    return new YamlNode.Mapping(map.where(), entries);
  }
}
