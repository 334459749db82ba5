package dev.idem.jdbc.connector;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Section;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code type: jdbc} (the default type): a database named by its JDBC URL ({@code url}), PostgreSQL
 * or any other database idem has a dialect for, chosen when it is opened. Keys other than {@code
 * type} and {@code url} are JDBC connection properties. DuckDB URLs go to {@link
 * DuckDbDestinationFactory}, which resolves their files.
 */
public final class JdbcDestinationFactory implements DestinationFactory {
  private static final List<String> KEYS = List.of("type", "url");

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public String type() {
    return "jdbc";
  }

  @Override
  public boolean typeOptional() {
    return true;
  }

  @Override
  public Map<String, Object> schema() {
    return section();
  }

  /** The schema of a JDBC destination's section, DuckDB's too: a URL and connection properties. */
  static Map<String, Object> section() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type("jdbc"),
            "url",
            ConfigSchema.string(
                "a JDBC URL: jdbc:duckdb:orders.duckdb (relative to the pipeline file) or"
                    + " jdbc:postgresql://host:port/db")),
        List.of("url"),
        ConfigSchema.scalar("a JDBC connection property (user, password, sslmode, ...)"));
  }

  @Override
  public boolean accepts(ConfigNode.Mapping section) {
    return true;
  }

  @Override
  public DestinationBinding bind(ConfigNode.Mapping node, ConnectorContext context) {
    Section s = Section.of("destination", node);
    String url = url(s, context);
    return new JdbcDestinationBinding(url, properties(s, context), null);
  }

  /** The section's URL, checked, its credentials learned by the context's secrets. */
  static String url(Section s, ConnectorContext context) {
    String url = JdbcUrls.url(s.requiredScalar("url"), "destination.url");
    context.secrets().addUrl(url);
    return url;
  }

  /** Every key but type and url, as a connection property. */
  static Properties properties(Section s, ConnectorContext context) {
    return s.properties(KEYS, context.secrets());
  }
}
