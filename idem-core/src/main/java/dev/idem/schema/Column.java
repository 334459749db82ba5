package dev.idem.schema;

import dev.idem.ConfigException;
import java.io.Serializable;
import java.util.Objects;

/** A named, typed column. Names are kept exactly as declared; SQL rendering quotes them. */
public record Column(String name, DataType type, boolean nullable) implements Serializable {
  public Column {
    Objects.requireNonNull(type, "type");
    if (name == null || name.isEmpty()) {
      throw new ConfigException("a column needs a non-empty name");
    }
    if (name.indexOf('\0') >= 0) {
      throw new ConfigException("column name contains a NUL character");
    }
  }

  public static Column of(String name, DataType type) {
    return new Column(name, type, true);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null");
  }
}
