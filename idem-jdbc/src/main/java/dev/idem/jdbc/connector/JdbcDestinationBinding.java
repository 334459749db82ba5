package dev.idem.jdbc.connector;

import dev.idem.connector.DestinationBinding;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.JdbcDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A JDBC database a pipeline writes: its URL and connection properties, and for a DuckDB file the
 * file, which status, check and doctor must not create. Properties may hold secrets, so {@link
 * #toString()} and {@link #describe()} show the URL only, with any password, user-info and user
 * masked.
 */
public final class JdbcDestinationBinding implements DestinationBinding {
  private final String url;
  private final Properties properties;
  private final Path file;

  /**
   * @param file the DuckDB file the URL opens, null when it is no local file
   */
  public JdbcDestinationBinding(String url, Properties properties, Path file) {
    this.url = Objects.requireNonNull(url, "url");
    this.properties = new Properties();
    this.properties.putAll(properties);
    this.file = file;
  }

  public String url() {
    return url;
  }

  /** A copy: callers may not change the binding. */
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  @Override
  public Destination open(RunServices services, Duration lockTimeout) {
    return JdbcDestination.open(url, properties(), services, lockTimeout);
  }

  @Override
  public Destination openReadOnly(RunServices services) {
    return JdbcDestination.openReadOnly(url, properties(), services);
  }

  @Override
  public String describe() {
    return Secrets.describeUrl(url);
  }

  /**
   * A DuckDB file that does not exist means the pipeline never ran there; opening it would create
   * it.
   */
  @Override
  public Optional<String> missing() {
    return file == null || Files.exists(file)
        ? Optional.empty()
        : Optional.of("there is no DuckDB file " + describe());
  }

  @Override
  public Destination scratch(RunServices services) {
    return JdbcDestination.scratch(url, properties(), services);
  }

  @Override
  public String toString() {
    return describe();
  }
}
