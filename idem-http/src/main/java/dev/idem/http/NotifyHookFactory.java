package dev.idem.http;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.notify.Notifier;
import dev.idem.notify.NotifierFactory;
import dev.idem.notify.OutboxEntry.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code notify:}: a list of HTTP hooks, each sent once per window load (and, when asked, per
 * recorded failure) through the sent-request ledger. See docs/http-destination.md#notify.
 */
public final class NotifyHookFactory implements NotifierFactory {
  static final List<String> KEYS =
      List.of("url", "method", "headers", "body", "on", "idempotency_header", "timeout");

  @Override
  public Notifier bind(ConfigNode section, ConnectorContext context) {
    if (!(section instanceof ConfigNode.Sequence seq) || seq.items().isEmpty()) {
      throw new ConfigProblem(
          section.where(), "notify: expected a list of hooks, such as - {url: \"https://...\"}");
    }
    List<NotifyHooks.Hook> hooks = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Section s = Section.of("notify[" + i + "]", seq.items().get(i));
      s.checkKeys(KEYS);
      RequestSpec request = HttpDestinationFactory.requestOf(s, "POST");
      request.check(NotifyHooks.PLACEHOLDERS);
      ConfigNode.Scalar header = s.optionalScalar("idempotency_header");
      hooks.add(
          new NotifyHooks.Hook(
              i,
              request,
              events(s),
              header == null ? "Idempotency-Key" : header.value().strip(),
              s.duration("timeout", Duration.ofSeconds(30))));
    }
    return new NotifyHooks(hooks);
  }

  /** {@code on: [success, failure]}; default {@code [success]}. */
  private static Set<Event> events(Section s) {
    ConfigNode on = s.get("on");
    if (on == null || on.isNull()) {
      return EnumSet.of(Event.SUCCESS);
    }
    List<ConfigNode> items =
        on instanceof ConfigNode.Sequence seq ? seq.items() : List.<ConfigNode>of(on);
    Set<Event> out = EnumSet.noneOf(Event.class);
    for (ConfigNode item : items) {
      String v = Section.scalarValue(item, s.pathOf("on"), "success or failure");
      try {
        out.add(Event.valueOf(v.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigProblem(
            item.where(), s.pathOf("on") + ": expected success or failure, got '" + v + "'");
      }
    }
    if (out.isEmpty()) {
      throw new ConfigProblem(
          on.where(), s.pathOf("on") + ": expected [success], [failure] or both");
    }
    return out;
  }

  @Override
  public Map<String, Object> schema() {
    Map<String, Object> hook =
        ConfigSchema.mapping(
            ConfigSchema.properties(
                "url",
                ConfigSchema.string("http(s) URL; placeholders allowed"),
                "method",
                ConfigSchema.oneOf("the HTTP method", "POST", "PUT", "PATCH", "GET", "DELETE"),
                "headers",
                ConfigSchema.mapping(
                    ConfigSchema.properties(), List.of(), ConfigSchema.scalar("a header value")),
                "body",
                Map.of(
                    "description",
                    "a text, or a mapping/list sent as JSON; placeholders {{window}}, {{status}},"
                        + " {{inserted}}, {{updated}}, {{deleted}}, {{dead_letters}},"
                        + " {{pipeline}}, {{error}}"),
                "on",
                array(
                    "when to send: [success] (default), [failure] or both",
                    ConfigSchema.oneOf("an event", "success", "failure")),
                "idempotency_header",
                ConfigSchema.string("the key's header (default Idempotency-Key)"),
                "timeout",
                ConfigSchema.duration("how long one request may take (default 30s)")),
            List.of("url"),
            null);
    return array(
        "HTTP hooks sent once per window load"
            + " (docs/http-destination.md#notifications-once-per-window-notify)",
        hook);
  }

  /** A list schema, its keys in a fixed order (the published schema is compared as text). */
  private static Map<String, Object> array(String description, Map<String, Object> items) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "array");
    m.put("description", description);
    m.put("items", items);
    return m;
  }
}
