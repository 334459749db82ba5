package dev.idem.http;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Section;
import dev.idem.jdbc.connector.DuckDbDestinationFactory;
import dev.idem.jdbc.connector.JdbcDestinationFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code type: http}: one request per row to an HTTP API, recorded in a sent-request ledger kept in
 * a JDBC store ({@code ledger:}, by default the DuckDB file {@code PIPELINE.duckdb} next to the
 * pipeline file). See docs/http-destination.md.
 */
public final class HttpDestinationFactory implements DestinationFactory {
  static final List<String> KEYS =
      List.of(
          "type",
          "request",
          "idempotency",
          "recovery",
          "concurrency",
          "rate_limit",
          "timeout",
          "ledger");
  private static final List<String> REQUEST_KEYS = List.of("method", "url", "headers", "body");
  private static final List<String> METHODS = List.of("POST", "PUT", "PATCH", "GET", "DELETE");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|m|min|h)");

  @Override
  public String name() {
    return "http";
  }

  @Override
  public String type() {
    return "http";
  }

  @Override
  public Map<String, Object> schema() {
    Map<String, Object> request =
        ConfigSchema.mapping(
            ConfigSchema.properties(
                "method",
                ConfigSchema.oneOf("the HTTP method", METHODS.toArray(String[]::new)),
                "url",
                ConfigSchema.string("http(s) URL; {{column}} placeholders allowed"),
                "headers",
                ConfigSchema.mapping(
                    ConfigSchema.properties(), List.of(), ConfigSchema.scalar("a header value")),
                "body",
                Map.of(
                    "description",
                    "a text, or a mapping/list sent as JSON; {{column}} placeholders")),
            List.of("url"),
            null);
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type()),
            "request",
            request,
            "idempotency",
            Map.of("description", "none, or {header, key: {hash: [columns]}, key_ttl}"),
            "recovery",
            Map.of(
                "description", "with idempotency none: hold, or {lookup: {method, url, headers}}"),
            "concurrency",
            ConfigSchema.integer("requests in flight at once", 1),
            "rate_limit",
            ConfigSchema.string("requests per time: 50/s, 3000/min, 10/h"),
            "timeout",
            ConfigSchema.duration("how long one request may take"),
            "ledger",
            Map.of("description", "the sent-request ledger's JDBC URL or {url, user, password}")),
        List.of("type", "request", "idempotency"),
        null);
  }

  @Override
  public boolean accepts(ConfigNode.Mapping section) {
    return true;
  }

  @Override
  public DestinationBinding bind(ConfigNode.Mapping node, ConnectorContext context) {
    Section s = Section.of("destination", node);
    s.checkKeys(KEYS);
    RequestSpec request = request(Section.of("destination.request", s.required("request")), "POST");
    String header = null;
    List<String> fields = List.of();
    Duration keyTtl = Duration.ofHours(24);
    ConfigNode idem = s.required("idempotency");
    if (idem instanceof ConfigNode.Scalar none) {
      if (!none.value().strip().equalsIgnoreCase("none")) {
        throw new ConfigProblem(
            none.where(),
            "destination.idempotency: expected 'none' or a mapping {header, key: {hash: [fields]},"
                + " key_ttl}, got '"
                + none.display()
                + "'");
      }
    } else {
      Section i = Section.of("destination.idempotency", idem);
      i.checkKeys(List.of("header", "key", "key_ttl"));
      ConfigNode.Scalar h = i.optionalScalar("header");
      header = h == null ? "Idempotency-Key" : h.value().strip();
      Section key = Section.of("destination.idempotency.key", i.required("key"));
      key.checkKeys(List.of("hash"));
      fields = fieldList(key.required("hash"), "destination.idempotency.key.hash");
      keyTtl = i.duration("key_ttl", keyTtl);
    }
    HttpConfig.Recovery recovery = HttpConfig.Recovery.RESEND;
    RequestSpec lookup = null;
    ConfigNode r = s.get("recovery");
    if (r == null || r.isNull()) {
      if (header == null) {
        throw s.problem(
            "idempotency",
            "destination.idempotency: none needs a recovery for requests of unknown outcome:"
                + " 'recovery: hold' or 'recovery: {lookup: {url: ...}}'");
      }
    } else if (r instanceof ConfigNode.Scalar hold && hold.value().strip().equals("hold")) {
      recovery = HttpConfig.Recovery.HOLD;
    } else if (r instanceof ConfigNode.Mapping) {
      Section rs = Section.of("destination.recovery", r);
      rs.checkKeys(List.of("lookup"));
      lookup = request(Section.of("destination.recovery.lookup", rs.required("lookup")), "GET");
      recovery = HttpConfig.Recovery.LOOKUP;
    } else {
      throw new ConfigProblem(
          r.where(),
          "destination.recovery: expected 'hold' or {lookup: {method, url, headers}}, got "
              + r.describeKind());
    }
    if (header != null && recovery == HttpConfig.Recovery.LOOKUP) {
      throw s.problem(
          "recovery",
          "destination.recovery: an API with idempotency keys recovers by sending again with the"
              + " same key; lookup is for 'idempotency: none'");
    }
    HttpConfig config =
        new HttpConfig(
            request,
            header,
            fields,
            keyTtl,
            recovery,
            lookup,
            s.positiveInt("concurrency", 8),
            rate(s),
            s.duration("timeout", Duration.ofSeconds(30)));
    return new HttpDestinationBinding(
        config,
        ledger(s, context),
        context.secrets(),
        Section.of("destination.request", s.required("request")).requiredScalar("url").value());
  }

  private static RequestSpec request(Section r, String defaultMethod) {
    r.checkKeys(REQUEST_KEYS);
    return requestOf(r, defaultMethod);
  }

  /** A request section's method, URL, headers and body (its keys checked by the caller). */
  static RequestSpec requestOf(Section r, String defaultMethod) {
    ConfigNode.Scalar m = r.optionalScalar("method");
    String method = m == null ? defaultMethod : m.value().strip().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw r.problem(
          "method", r.pathOf("method") + ": expected one of " + METHODS + ", got '" + method + "'");
    }
    ConfigNode.Scalar url = r.requiredScalar("url");
    String u = url.value().strip();
    if (!u.startsWith("http://") && !u.startsWith("https://")) {
      throw new ConfigProblem(
          url.where(), r.pathOf("url") + ": expected an http:// or https:// URL, got '" + u + "'");
    }
    Map<String, Template> headers = new LinkedHashMap<>();
    ConfigNode h = r.get("headers");
    if (h != null && !h.isNull()) {
      Section hs = Section.of(r.pathOf("headers"), h);
      hs.node()
          .entries()
          .forEach(
              (k, e) -> {
                ConfigNode.Scalar v = Section.scalar(e.value(), hs.pathOf(k));
                headers.put(k, new Template(hs.pathOf(k), v.where(), v.value()));
              });
    }
    ConfigNode b = r.get("body");
    Body body = b == null || b.isNull() ? null : Body.of(b, r.pathOf("body"));
    return new RequestSpec(method, new Template(r.pathOf("url"), url.where(), u), headers, body);
  }

  private static List<String> fieldList(ConfigNode n, String path) {
    if (!(n instanceof ConfigNode.Sequence seq) || seq.items().isEmpty()) {
      throw new ConfigProblem(n.where(), path + ": expected a list of columns, such as [user_id]");
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode item : seq.items()) {
      out.add(Section.scalarValue(item, path, "a column name").strip());
    }
    return out;
  }

  /** {@code 50/s}, {@code 3000/min}, {@code 10/h}: requests started per second. */
  private static double rate(Section s) {
    ConfigNode.Scalar r = s.optionalScalar("rate_limit");
    if (r == null) {
      return 0;
    }
    Matcher m = RATE.matcher(r.value().strip().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      double n = Double.parseDouble(m.group(1));
      double per =
          switch (m.group(2)) {
            case "s" -> 1;
            case "h" -> 3600;
            default -> 60;
          };
      if (n > 0) {
        return n / per;
      }
    }
    throw new ConfigProblem(
        r.where(),
        "destination.rate_limit: expected requests per time such as 50/s, 3000/min or 10/h, got '"
            + r.display()
            + "'");
  }

  /**
   * The sent-request ledger's store: a JDBC URL or section, by default the pipeline's DuckDB file.
   */
  private static DestinationBinding ledger(Section s, ConnectorContext context) {
    ConfigNode l = s.get("ledger");
    if (l == null || l.isNull()) {
      return new DuckDbDestinationFactory().bindDefault(context).orElseThrow();
    }
    ConfigNode.Mapping section =
        l instanceof ConfigNode.Scalar url
            ? new ConfigNode.Mapping(
                url.where(), Map.of("url", new ConfigNode.Entry("url", url.where(), url)))
            : Section.mapping(l, "destination.ledger");
    DuckDbDestinationFactory duck = new DuckDbDestinationFactory();
    return duck.accepts(section)
        ? duck.bind(section, context)
        : new JdbcDestinationFactory().bind(section, context);
  }
}
