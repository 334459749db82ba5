package dev.idem.cli.pipelinefile;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.Location;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@code --set path=value} to the tree before binding, so an override is checked exactly
 * like the file itself. The path must name a key the file format knows; missing sections on the way
 * are created.
 */
final class Overrides {
  private Overrides() {}

  static ConfigNode.Mapping apply(ConfigNode.Mapping root, List<String> sets, YamlReader reader) {
    ConfigNode.Mapping result = root;
    for (String set : sets) {
      int eq = set.indexOf('=');
      String path = (eq < 0 ? set : set.substring(0, eq)).strip();
      if (eq < 0 || path.isEmpty()) {
        // "--set target.strategy" (no '=') names the path it was meant for; "--set =x" has none.
        throw new PipelineFileException(
            Location.of(path.isEmpty() ? "--set" : "--set " + path), "expected PATH=VALUE");
      }
      String where = "--set " + path;
      ConfigNode value = reader.readValue(set.substring(eq + 1), where, path);
      result = put(result, "", List.of(path.split("\\.", -1)), value, where);
    }
    return result;
  }

  private static ConfigNode.Mapping put(
      ConfigNode.Mapping map, String section, List<String> path, ConfigNode value, String where) {
    String key = path.get(0);
    List<String> allowed = Layout.keys(section).orElseThrow();
    if (key.isEmpty()) {
      throw new PipelineFileException(
          Location.of(where),
          "the path has an empty segment: expected keys separated by '.', e.g. target.table");
    }
    if (allowed != Layout.ANY && !allowed.contains(key)) {
      throw new PipelineFileException(Location.of(where), Layout.unknownKey(key, section, allowed));
    }
    String childSection = section.isEmpty() ? key : section + "." + key;
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>(map.entries());
    ConfigNode newValue;
    if (path.size() == 1) {
      newValue = value;
    } else {
      Optional<List<String>> childKeys = Layout.keys(childSection);
      if (childKeys.isEmpty()) {
        throw new PipelineFileException(
            Location.of(where),
            "'" + childSection + "' is a single value, it has no key '" + path.get(1) + "'");
      }
      ConfigNode existing = map.get(key);
      ConfigNode.Mapping child;
      if (existing instanceof ConfigNode.Mapping m) {
        child = m;
      } else {
        // absent, null, or e.g. target.key as a list that --set target.key.hash=... turns into a
        // hash key
        child = new ConfigNode.Mapping(Location.of(where), Map.of());
      }
      newValue = put(child, childSection, path.subList(1, path.size()), value, where);
    }
    entries.put(key, new ConfigNode.Entry(key, Location.of(where), newValue));
    return new ConfigNode.Mapping(map.where(), entries);
  }
}
