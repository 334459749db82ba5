package dev.idem.schema;

import dev.idem.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An ordered list of columns with unique names. Immutable. */
public record Schema(List<Column> columns) {
  public Schema {
    columns = List.copyOf(columns);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      if (seen.put(columns.get(i).name(), i) != null) {
        throw new ConfigException("column '" + columns.get(i).name() + "' is declared twice");
      }
    }
  }

  public static Schema of(Column... columns) {
    return new Schema(List.of(columns));
  }

  public int size() {
    return columns.size();
  }

  public Column column(int i) {
    return columns.get(i);
  }

  public Optional<Column> find(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Position of a column, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Position of a column that must exist; {@code role} says what it is needed for. */
  public int require(String name, String role) {
    int i = indexOf(name);
    if (i < 0) {
      throw new ConfigException(
          role + " '" + name + "' is not a declared column: expected one of " + names());
    }
    return i;
  }

  public List<String> names() {
    List<String> names = new ArrayList<>(columns.size());
    columns.forEach(c -> names.add(c.name()));
    return names;
  }

  public Schema plus(Column column) {
    List<Column> all = new ArrayList<>(columns);
    all.add(column);
    return new Schema(all);
  }
}
