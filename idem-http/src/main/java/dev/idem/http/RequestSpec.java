package dev.idem.http;

import dev.idem.key.KeyEncoding;
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
  /**
   * One row's request: what is stored in the sent ledger, the headers sent with it, and its body's
   * media type ({@link #mediaType}; null without a body).
   */
  record Rendered(
      String method,
      String url,
      Map<String, String> headers,
      String body,
      String mediaType,
      String payloadUrl) {
    /**
     * The hash of what the request asks for: its method, URL and body. Of the URL as its values'
     * text, before percent-encoding, so a request acknowledged before values were encoded keeps its
     * hash (encoding is one-to-one: two requests differ in one exactly when in the other).
     */
    String payloadHash() {
      return KeyEncoding.sha256Hex(method, payloadUrl, body);
    }
  }

  Rendered render(Function<String, Object> values) {
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, t) -> h.put(k, t.render(values)));
    String b = null;
    if (body != null) {
      StringBuilder sb = new StringBuilder();
      body.render(values, sb);
      b = sb.toString();
    }
    return new Rendered(method, url.renderUrl(values), h, b, mediaType(b), url.render(values));
  }

  /**
   * JSON for a mapping or list, and for a text that starts as JSON does (written by hand); plain
   * text for another text. A {@code Content-Type} header overrides it.
   */
  private String mediaType(String rendered) {
    if (body == null) {
      return null;
    }
    if (!(body instanceof Body.Text)) {
      return "application/json";
    }
    String t = rendered.strip();
    return t.startsWith("{") || t.startsWith("[") ? "application/json" : "text/plain";
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
