package dev.idem.jdbc.connector;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.jdbc.source.JdbcSource;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code type: jdbc}: a query per window. Keys other than the source's own are JDBC connection
 * properties (user, password, sslmode, ...), as in a JDBC destination.
 */
public final class JdbcSourceFactory implements SourceFactory {
  /** The keys of a jdbc source itself; any other key of it is a JDBC connection property. */
  static final List<String> KEYS =
      List.of("type", "url", "query", "fingerprint_query", "lag", "fetch_size");

  /** The keys of file sources, refused here with a message that names the jdbc source's own. */
  private static final List<String> FILE_KEYS =
      List.of("path", "delimiter", "quote", "header", "null", "encoding");

  @Override
  public String type() {
    return "jdbc";
  }

  @Override
  public Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type()),
            "url",
            ConfigSchema.string("a JDBC URL: jdbc:postgresql://host:port/db or jdbc:duckdb:file"),
            "query",
            ConfigSchema.string("the query of one window, with :window_start and :window_end"),
            "fingerprint_query",
            ConfigSchema.string("a cheap query whose result changes when the window's rows do"),
            "lag",
            ConfigSchema.duration("how long after its end a window is complete (default 0)"),
            "fetch_size",
            ConfigSchema.integer("rows fetched per round trip (default 10000)", 1)),
        List.of("type", "url", "query"),
        ConfigSchema.scalar("a JDBC connection property (user, password, sslmode, ...)"));
  }

  @Override
  public Source bind(ConfigNode.Mapping node, Schema columns, ConnectorContext context) {
    Section s = Section.of("source", node);
    for (String fileKey : FILE_KEYS) {
      ConfigNode.Entry e = node.entry(fileKey);
      if (e != null) {
        throw new ConfigProblem(
            e.where(),
            "source."
                + fileKey
                + ": jdbc sources have no '"
                + fileKey
                + "': expected "
                + String.join(", ", KEYS)
                + " and JDBC connection properties");
      }
    }
    ConfigNode.Scalar urlNode = s.requiredScalar("url");
    String url = JdbcUrls.url(urlNode, "source.url");
    try {
      DriverManager.getDriver(url); // its "no suitable driver" message would quote the URL whole
    } catch (SQLException e) {
      throw new ConfigProblem(
          urlNode.where(),
          "source.url: no JDBC driver accepts '"
              + JdbcUrls.shown(urlNode, url)
              + "': expected jdbc:postgresql://host:port/db or jdbc:duckdb:file");
    }
    String query = s.requiredScalar("query").value();
    ConfigNode.Scalar fpNode = s.optionalScalar("fingerprint_query");
    Optional<String> fingerprintQuery =
        fpNode == null || fpNode.value().isBlank() ? Optional.empty() : Optional.of(fpNode.value());
    Duration lag = s.duration("lag", Duration.ZERO);
    int fetchSize = s.positiveInt("fetch_size", 10_000);
    Properties properties = s.properties(KEYS, context.secrets());
    context.secrets().addUrl(url);
    return Section.bind(
        node,
        "source",
        () -> new JdbcSource(url, properties, query, columns, fingerprintQuery, lag, fetchSize));
  }
}
