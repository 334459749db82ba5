package dev.idem.connector;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a pipeline file's {@code destination:} section to a {@link DestinationBinding}. It owns the
 * section's keys, validation and messages. Several factories may answer one {@link #type()} ({@code
 * jdbc}: a DuckDB file, any other JDBC database); {@link #accepts} picks among them, e.g. by the
 * URL's prefix. Found with {@link java.util.ServiceLoader} through {@code
 * META-INF/services/dev.idem.connector.DestinationFactory}.
 */
public interface DestinationFactory {
  /** What this factory is, for listings ({@code duckdb}, {@code jdbc}, {@code kafka}). */
  String name();

  /** The {@code type:} value this factory answers to, lowercase. */
  String type();

  /**
   * True when a section without {@code type:} is of this factory's type (today's files have none).
   */
  default boolean typeOptional() {
    return false;
  }

  /**
   * The JSON Schema of this factory's {@code destination:} section ({@link ConfigSchema}), for
   * editors: by default a mapping with this {@code type} and any other key. A factory that knows
   * its keys says so.
   */
  default Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties("type", ConfigSchema.type(type())), List.of(), Map.of());
  }

  /** Among the factories of the section's type, whether this one takes it. */
  boolean accepts(ConfigNode.Mapping section);

  /** The destination the section describes, checked; nothing is opened yet. */
  DestinationBinding bind(ConfigNode.Mapping section, ConnectorContext context);

  /**
   * The destination of a pipeline file without a {@code destination:} section, if this factory
   * provides it.
   */
  default Optional<DestinationBinding> bindDefault(ConnectorContext context) {
    return Optional.empty();
  }
}
