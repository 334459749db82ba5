package dev.idem.jdbc.connector;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Secrets;

/**
 * The {@code url} key of a JDBC section: a JDBC URL, shown masked (or as the placeholder it came
 * from) in messages.
 */
final class JdbcUrls {
  private JdbcUrls() {}

  /** The URL, which must start with {@code jdbc:}. */
  static String url(ConfigNode.Scalar urlNode, String path) {
    String url = urlNode.value().strip();
    if (!url.startsWith("jdbc:")) {
      throw new ConfigProblem(
          urlNode.where(),
          path
              + ": expected a JDBC URL such as jdbc:duckdb:orders.duckdb or jdbc:postgresql://host/db, got '"
              + shown(urlNode, url)
              + "'");
    }
    return url;
  }

  /** The URL as a message may show it. */
  static String shown(ConfigNode.Scalar urlNode, String url) {
    return urlNode.secret() ? urlNode.display() : Secrets.describeUrl(url);
  }
}
