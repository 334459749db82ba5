package dev.idem.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The source and destination factories found on the class path, in the order they were found
 * (module by module, each in its service file's order). This order is also the order in which
 * messages list the known types.
 */
public final class Connectors {
  private final List<SourceFactory> sources;
  private final List<DestinationFactory> destinations;

  public Connectors(List<SourceFactory> sources, List<DestinationFactory> destinations) {
    this.sources = List.copyOf(sources);
    this.destinations = List.copyOf(destinations);
  }

  /** The factories registered with {@link ServiceLoader} and visible to {@code loader}. */
  public static Connectors discover(ClassLoader loader) {
    List<SourceFactory> sources = new ArrayList<>();
    ServiceLoader.load(SourceFactory.class, loader).forEach(sources::add);
    List<DestinationFactory> destinations = new ArrayList<>();
    ServiceLoader.load(DestinationFactory.class, loader).forEach(destinations::add);
    return new Connectors(sources, destinations);
  }

  public List<SourceFactory> sources() {
    return sources;
  }

  public List<DestinationFactory> destinations() {
    return destinations;
  }

  /** The source factory of a {@code type:} value (lowercase). */
  public Optional<SourceFactory> source(String type) {
    return sources.stream().filter(f -> f.type().equals(type)).findFirst();
  }

  /** The distinct source types, in discovery order. */
  public List<String> sourceTypes() {
    return sources.stream().map(SourceFactory::type).distinct().toList();
  }

  /** The factories answering a destination {@code type:} (null: a section without one). */
  public List<DestinationFactory> destinations(String type) {
    return destinations.stream()
        .filter(f -> type == null ? f.typeOptional() : f.type().equals(type))
        .toList();
  }
}
