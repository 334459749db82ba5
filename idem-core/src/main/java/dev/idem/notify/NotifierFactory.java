package dev.idem.notify;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConnectorContext;
import java.util.Map;

/**
 * Binds a pipeline file's {@code notify:} section. Found with {@link java.util.ServiceLoader}
 * through {@code META-INF/services/dev.idem.notify.NotifierFactory}; the first found is used.
 */
public interface NotifierFactory {
  /** The section, checked; nothing is sent yet. */
  Notifier bind(ConfigNode section, ConnectorContext context);

  /** The JSON Schema of the section, for editors. */
  Map<String, Object> schema();
}
