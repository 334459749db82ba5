package dev.idem.jdbc.source;

import dev.idem.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code :name} parameters into JDBC {@code ?} placeholders, outside string literals, quoted
 * identifiers and comments, and remembers their order. {@code ::} (a PostgreSQL cast) is left
 * alone.
 */
record NamedParameters(String sql, List<String> names) {
  static NamedParameters parse(String text) {
    StringBuilder out = new StringBuilder(text.length());
    List<String> names = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char ch = text.charAt(i);
      if (ch == '\'' || ch == '"') {
        int end = text.indexOf(ch, i + 1);
        while (end >= 0 && end + 1 < n && text.charAt(end + 1) == ch) {
          end = text.indexOf(ch, end + 2);
        }
        if (end < 0) {
          throw new ConfigException(
              "query has an unterminated "
                  + (ch == '\'' ? "string literal" : "quoted identifier")
                  + " at offset "
                  + i);
        }
        out.append(text, i, end + 1);
        i = end + 1;
      } else if (ch == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        int end = text.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(text, i, end);
        i = end;
      } else if (ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(text, i, end);
        i = end;
      } else if (ch == ':' && i + 1 < n && text.charAt(i + 1) == ':') {
        out.append("::");
        i += 2;
      } else if (ch == ':' && i + 1 < n && Character.isLetter(text.charAt(i + 1))) {
        int end = i + 1;
        while (end < n
            && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
          end++;
        }
        names.add(text.substring(i + 1, end));
        out.append('?');
        i = end;
      } else {
        out.append(ch);
        i++;
      }
    }
    return new NamedParameters(out.toString(), List.copyOf(names));
  }
}
