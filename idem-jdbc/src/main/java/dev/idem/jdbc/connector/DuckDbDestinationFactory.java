package dev.idem.jdbc.connector;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Section;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A DuckDB database ({@code url: jdbc:duckdb:FILE}): a relative file is taken against the pipeline
 * file's directory. Also the destination of a pipeline file without a {@code destination:} section:
 * {@code PIPELINE.duckdb} next to the file.
 */
public final class DuckDbDestinationFactory implements DestinationFactory {
  private static final String PREFIX = "jdbc:duckdb:";

  @Override
  public String name() {
    return "duckdb";
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
    return JdbcDestinationFactory.section();
  }

  @Override
  public boolean accepts(ConfigNode.Mapping section) {
    return section.get("url") instanceof ConfigNode.Scalar s
        && s.value().strip().startsWith(PREFIX);
  }

  @Override
  public DestinationBinding bind(ConfigNode.Mapping node, ConnectorContext context) {
    Section s = Section.of("destination", node);
    String url = resolve(JdbcDestinationFactory.url(s, context), context);
    Properties properties = JdbcDestinationFactory.properties(s, context);
    return new JdbcDestinationBinding(url, properties, file(url).orElse(null));
  }

  @Override
  public Optional<DestinationBinding> bindDefault(ConnectorContext context) {
    String url = PREFIX + context.directory().resolve(context.pipelineName() + ".duckdb");
    return Optional.of(new JdbcDestinationBinding(url, new Properties(), file(url).orElse(null)));
  }

  /** Makes a relative DuckDB file path absolute against the pipeline file's directory. */
  private static String resolve(String url, ConnectorContext context) {
    String rest = url.substring(PREFIX.length());
    int q = rest.indexOf('?');
    String file = q < 0 ? rest : rest.substring(0, q);
    String params = q < 0 ? "" : rest.substring(q);
    if (remoteOrMemory(file) || Path.of(file).isAbsolute()) {
      return url;
    }
    return PREFIX + context.directory().resolve(file).normalize() + params;
  }

  /** The file of a jdbc:duckdb: URL; empty for in-memory and remote (MotherDuck) databases. */
  private static Optional<Path> file(String url) {
    String rest = url.substring(PREFIX.length());
    int q = rest.indexOf('?');
    String file = q < 0 ? rest : rest.substring(0, q);
    if (remoteOrMemory(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(file));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static boolean remoteOrMemory(String file) {
    return file.isEmpty()
        || file.startsWith(":memory:")
        || file.startsWith("md:")
        || file.startsWith("motherduck:");
  }
}
