package dev.idem.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A request as the pipeline file declares it ({@code method}, {@code url}, {@code headers}, {@code
 * body}), rendered once per row. Header values may hold secrets ({@code ${env:TOKEN}}): they are
 * sent, never stored in the ledger, logged or part of the payload hash.
 */
record RequestSpec(String method, Template url, Map<String, Template> headers, Body body) {
  /** One row's request: what is stored in the sent ledger, and the headers sent with it. */
  record Rendered(String method, String url, Map<String, String> headers, String body) {}

  Rendered render(Function<String, Object> values) {
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, t) -> h.put(k, t.render(values)));
    String b = null;
    if (body != null) {
      StringBuilder sb = new StringBuilder();
      body.render(values, sb);
      b = sb.toString();
    }
    return new Rendered(method, url.render(values), h, b);
  }

  /** Refuses a placeholder naming no column, at its line. */
  void check(Collection<String> columns) {
    url.check(columns);
    headers.values().forEach(t -> t.check(columns));
    if (body != null) {
      body.check(columns);
    }
  }

  List<String> fields() {
    List<String> f = new ArrayList<>(url.fields());
    headers.values().forEach(t -> f.addAll(t.fields()));
    return f;
  }
}
