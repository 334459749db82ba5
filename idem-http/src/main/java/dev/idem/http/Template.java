package dev.idem.http;

import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Location;
import dev.idem.key.KeyEncoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * A text with {@code {{field}}} placeholders, checked when written and rendered per row. A value is
 * rendered in its canonical text ({@link KeyEncoding#text}), in a URL's path or query
 * percent-encoded ({@link #renderUrl}); a null renders as the empty string in text, and as JSON
 * {@code null} where the whole template is one placeholder ({@link #single()}).
 */
final class Template {
  private final String path;
  private final Location where;
  private final List<String> literals = new ArrayList<>();
  private final List<String> fields = new ArrayList<>();

  /** By field: written {@code {{+column}}}, its value is put in a URL as it is (RFC 6570's +). */
  private final List<Boolean> raw = new ArrayList<>();

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
      boolean asIs = field.startsWith("+");
      if (asIs) {
        field = field.substring(1).strip();
      }
      if (field.isEmpty()) {
        throw new ConfigProblem(where, path + ": empty placeholder '{{}}': expected {{column}}");
      }
      literals.add(text.substring(i, open));
      fields.add(field);
      raw.add(asIs);
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

  /**
   * Rendered as a URL: a value in the path, query or fragment is one component ({@link
   * #urlComponent}); one before them (the whole URL, a base, a host: {@code {{base}}/users}, {@code
   * https://{{host}}/...}) and one written {@code {{+column}}} is put as it is.
   */
  String renderUrl(Function<String, Object> values) {
    StringBuilder sb = new StringBuilder(literals.get(0));
    StringBuilder written = new StringBuilder(literals.get(0));
    for (int i = 0; i < fields.size(); i++) {
      Object v = values.apply(fields.get(i));
      String text = v == null ? "" : KeyEncoding.text(v);
      sb.append(raw.get(i) || !pastTheAuthority(written) ? text : urlComponent(text))
          .append(literals.get(i + 1));
      written.append(literals.get(i + 1));
    }
    return sb.toString();
  }

  /** Whether a URL's literal text so far has reached its path, query or fragment. */
  private static boolean pastTheAuthority(CharSequence literalText) {
    String t = literalText.toString();
    int scheme = t.indexOf("://");
    String rest = scheme < 0 ? t : t.substring(scheme + 3);
    return rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0;
  }

  /**
   * A value's text as one URL component (a path segment, a query value): its UTF-8 bytes
   * percent-encoded but RFC 3986's unreserved characters ({@code A-Z a-z 0-9 - . _ ~}), as a URI
   * template's simple expansion (RFC 6570) does, so that {@code a/b?c} names no other resource.
   */
  static String urlComponent(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    return out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
