package dev.idem.connector;

import dev.idem.schema.Schema;
import dev.idem.source.Source;
import dev.idem.window.WindowSpec;
import java.util.List;
import java.util.Map;

/**
 * Binds a pipeline file's {@code source:} section of one {@link #type()} ({@code csv}, {@code
 * jdbc}, ...) to a {@link Source}. It owns the section's keys, their validation and their messages:
 * every problem is a {@link ConfigProblem} naming the line. Found with {@link
 * java.util.ServiceLoader} through {@code META-INF/services/dev.idem.connector.SourceFactory}, so
 * the command line names no format, driver or broker.
 */
public interface SourceFactory {
  /** The {@code type:} value this factory binds, lowercase. */
  String type();

  /**
   * The source the section describes.
   *
   * @param section the whole {@code source:} mapping, {@code type} included
   * @param columns the pipeline's declared input columns
   */
  Source bind(ConfigNode.Mapping section, Schema columns, ConnectorContext context);

  /** True for a stream, read in offsets windows planned from the ledger (a Kafka topic). */
  default boolean stream() {
    return false;
  }

  /**
   * The JSON Schema of this factory's {@code source:} section ({@link ConfigSchema}), for editors:
   * by default a mapping with this {@code type} and any other key. A factory that knows its keys
   * says so.
   */
  default Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties("type", ConfigSchema.type(type())), List.of("type"), Map.of());
  }

  /** The windows of a pipeline file that declares none. */
  default WindowSpec defaultWindows() {
    return stream() ? WindowSpec.offsets() : WindowSpec.full();
  }
}
