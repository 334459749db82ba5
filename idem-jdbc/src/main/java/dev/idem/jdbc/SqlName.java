package dev.idem.jdbc;

import dev.idem.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Identifier quoting, the one routine through which every name reaches SQL: the name is wrapped in
 * double quotes and a double quote inside it is doubled (jOOQ's RenderQuotedNames). Values never
 * pass through here; they are always bound.
 */
public final class SqlName {
  private SqlName() {}

  public static String quote(String name) {
    if (name == null || name.isEmpty()) {
      throw new ConfigException("an SQL identifier cannot be empty");
    }
    if (name.indexOf('\0') >= 0) {
      throw new ConfigException("an SQL identifier cannot contain a NUL character");
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "a", "b"} */
  public static String list(List<String> names) {
    return names.stream().map(SqlName::quote).collect(Collectors.joining(", "));
  }

  /** {@code alias."a", alias."b"} */
  public static String list(String alias, List<String> names) {
    return names.stream().map(n -> alias + "." + quote(n)).collect(Collectors.joining(", "));
  }
}
