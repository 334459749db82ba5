package dev.idem.key;

import dev.idem.ConfigException;
import java.util.List;

/**
 * What makes a row unique in the target: natural columns, or a SHA-256 hash over named fields
 * (stored in the column {@value #HASH_COLUMN}, see {@link KeyEncoding}).
 */
public record KeySpec(Kind kind, List<String> fields) {
  public static final String HASH_COLUMN = "_idem_key";

  public enum Kind {
    COLUMNS,
    HASH
  }

  public KeySpec {
    fields = List.copyOf(fields);
    if (fields.isEmpty()) {
      throw new ConfigException("a key needs at least one column");
    }
  }

  public static KeySpec columns(String... columns) {
    return new KeySpec(Kind.COLUMNS, List.of(columns));
  }

  public static KeySpec hash(String... fields) {
    return new KeySpec(Kind.HASH, List.of(fields));
  }

  /** The target columns that hold the key. */
  public List<String> targetColumns() {
    return kind == Kind.HASH ? List.of(HASH_COLUMN) : fields;
  }

  public String describe() {
    return (kind == Kind.HASH ? "hash" : "columns") + fields;
  }
}
