package dev.idem.http;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A request body as written: a text template sent as is, or a mapping (or list) rendered as JSON
 * whose text values are templates. A value that is exactly one {@code {{field}}} keeps its type: a
 * number or boolean stays one, a null is an explicit {@code null}, never an omitted field (so a
 * value set to NULL is part of the payload and of its hash).
 */
sealed interface Body {
  void render(Function<String, Object> values, StringBuilder out);

  void check(Collection<String> columns);

  static Body of(ConfigNode node, String path) {
    if (node instanceof ConfigNode.Mapping m) {
      Map<String, Body> entries = new LinkedHashMap<>();
      m.entries().forEach((k, e) -> entries.put(k, of(e.value(), path + "." + k)));
      return new Obj(entries);
    }
    if (node instanceof ConfigNode.Sequence s) {
      List<Body> items = new ArrayList<>();
      for (int i = 0; i < s.items().size(); i++) {
        items.add(of(s.items().get(i), path + "[" + i + "]"));
      }
      return new Arr(items);
    }
    ConfigNode.Scalar s = (ConfigNode.Scalar) node;
    if (s.isNull()) {
      throw new ConfigProblem(s.where(), path + ": expected a value or {{column}}, got null");
    }
    return new Text(new Template(path, s.where(), s.value()));
  }

  /** A text template; inside a JSON body a JSON value. */
  record Text(Template template) implements Body {
    @Override
    public void render(Function<String, Object> values, StringBuilder out) {
      out.append(template.render(values));
    }

    void renderJson(Function<String, Object> values, StringBuilder out) {
      String single = template.single();
      if (single != null) {
        Object v = values.apply(single);
        if (v == null) {
          out.append("null");
          return;
        }
        if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
          out.append(v);
          return;
        }
        if (v instanceof BigDecimal d) {
          out.append(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
          return;
        }
      }
      quote(template.render(values), out);
    }

    @Override
    public void check(Collection<String> columns) {
      template.check(columns);
    }
  }

  record Obj(Map<String, Body> entries) implements Body {
    @Override
    public void render(Function<String, Object> values, StringBuilder out) {
      out.append('{');
      String sep = "";
      for (Map.Entry<String, Body> e : entries.entrySet()) {
        out.append(sep);
        quote(e.getKey(), out);
        out.append(':');
        value(e.getValue(), values, out);
        sep = ",";
      }
      out.append('}');
    }

    @Override
    public void check(Collection<String> columns) {
      entries.values().forEach(b -> b.check(columns));
    }
  }

  record Arr(List<Body> items) implements Body {
    @Override
    public void render(Function<String, Object> values, StringBuilder out) {
      out.append('[');
      for (int i = 0; i < items.size(); i++) {
        out.append(i == 0 ? "" : ",");
        value(items.get(i), values, out);
      }
      out.append(']');
    }

    @Override
    public void check(Collection<String> columns) {
      items.forEach(b -> b.check(columns));
    }
  }

  private static void value(Body b, Function<String, Object> values, StringBuilder out) {
    if (b instanceof Text t) {
      t.renderJson(values, out);
    } else {
      b.render(values, out);
    }
  }

  /** A JSON string literal. */
  static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
