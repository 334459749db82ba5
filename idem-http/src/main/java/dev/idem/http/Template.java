package dev.idem.http;

import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Location;
import dev.idem.key.KeyEncoding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * A text with {@code {{field}}} placeholders, checked when written and rendered per row. A value is
 * rendered in its canonical text ({@link KeyEncoding#text}); a null renders as the empty string in
 * text, and as JSON {@code null} where the whole template is one placeholder ({@link #single()}).
 */
final class Template {
  private final String path;
  private final Location where;
  private final List<String> literals = new ArrayList<>();
  private final List<String> fields = new ArrayList<>();

  Template(String path, Location where, String text) {
    this.path = path;
    this.where = where;
    int i = 0;
    while (true) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        literals.add(text.substring(i));
        return;
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        throw new ConfigProblem(
            where, path + ": '{{' at character " + (open + 1) + " is never closed by '}}'");
      }
      String field = text.substring(open + 2, close).strip();
      if (field.isEmpty()) {
        throw new ConfigProblem(where, path + ": empty placeholder '{{}}': expected {{column}}");
      }
      literals.add(text.substring(i, open));
      fields.add(field);
      i = close + 2;
    }
  }

  List<String> fields() {
    return fields;
  }

  /** The one field, when the template is exactly {@code {{field}}}; else null. */
  String single() {
    return fields.size() == 1 && literals.get(0).isEmpty() && literals.get(1).isEmpty()
        ? fields.get(0)
        : null;
  }

  /** Refuses a placeholder that names no column, at the template's line. */
  void check(Collection<String> columns) {
    for (String f : fields) {
      if (!columns.contains(f)) {
        throw new ConfigProblem(
            where,
            path
                + ": {{"
                + f
                + "}} names no column; the columns are "
                + String.join(", ", columns));
      }
    }
  }

  String render(Function<String, Object> values) {
    StringBuilder sb = new StringBuilder(literals.get(0));
    for (int i = 0; i < fields.size(); i++) {
      Object v = values.apply(fields.get(i));
      sb.append(v == null ? "" : KeyEncoding.text(v)).append(literals.get(i + 1));
    }
    return sb.toString();
  }
}
