package dev.idem.serve;

import dev.idem.connector.DestinationBinding;
import dev.idem.pipeline.Pipeline;
import java.util.Objects;

/**
 * One pipeline the page shows: the file it was read from, and either the pipeline with its
 * destination, or the one line that says why its file could not be read ({@code problem}, shown on
 * the overview in its place). The binding holds secrets: the page shows it only through {@link
 * DestinationBinding#describe()}.
 */
public record ServedPipeline(
    String file, String name, Pipeline pipeline, DestinationBinding destination, String problem) {
  public ServedPipeline {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    if ((pipeline == null || destination == null) == (problem == null)) {
      throw new IllegalArgumentException("a served pipeline has a pipeline or a problem, not both");
    }
  }

  /** A pipeline file that was read and checked. */
  public static ServedPipeline of(String file, Pipeline pipeline, DestinationBinding destination) {
    return new ServedPipeline(file, pipeline.name(), pipeline, destination, null);
  }

  /** A pipeline file that could not be read: {@code problem} is its one-line error. */
  public static ServedPipeline broken(String file, String name, String problem) {
    return new ServedPipeline(file, name, null, null, problem);
  }

  public boolean readable() {
    return problem == null;
  }
}
