package dev.idem.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the schema a source showed for a window differs from the declared one: columns it {@code
 * added}, declared columns it lacks ({@code removed}), and columns holding a value not of their
 * type ({@code retyped}, with the first such value's type). {@link #describe()} is one line: {@code
 * added: discount; removed: amount; retyped: quantity from integer to string}.
 */
public record SchemaDiff(List<String> added, List<String> removed, List<Retyped> retyped) {
  /** At most this many names of each kind are spelled out in {@link #describe()}. */
  static final int SHOWN = 10;

  private static final int MAX_NAME = 60;

  /**
   * A column whose values are not all of its type: {@code from} its type {@code to} the type of the
   * first value that was not (an idem type name, or the source's own name for a type idem has none
   * for).
   */
  public record Retyped(String column, DataType from, String to) {}

  public static final SchemaDiff NONE = new SchemaDiff(List.of(), List.of(), List.of());

  public SchemaDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    retyped = List.copyOf(retyped);
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && retyped.isEmpty();
  }

  /** One line; empty when there is no drift. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add("added: " + names(added));
    }
    if (!removed.isEmpty()) {
      parts.add("removed: " + names(removed));
    }
    if (!retyped.isEmpty()) {
      List<String> r = new ArrayList<>();
      for (int i = 0; i < Math.min(SHOWN, retyped.size()); i++) {
        Retyped t = retyped.get(i);
        r.add(name(t.column()) + " from " + t.from() + " to " + t.to());
      }
      parts.add("retyped: " + String.join(", ", r) + more(retyped.size()));
    }
    return String.join("; ", parts);
  }

  /**
   * Names for a one-line message: control characters escaped, long names cut, long lists summed up.
   */
  static String names(List<String> names) {
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(SHOWN, names.size()); i++) {
      shown.add(name(names.get(i)));
    }
    return String.join(", ", shown) + more(names.size());
  }

  private static String more(int size) {
    return size > SHOWN ? " (and " + (size - SHOWN) + " more)" : "";
  }

  private static String name(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(name.length(), MAX_NAME); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (name.isEmpty()) {
      return "''";
    }
    return name.length() > MAX_NAME ? sb + "..." : sb.toString();
  }
}
