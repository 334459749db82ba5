package dev.idem.cli.pipelinefile;

import dev.idem.connector.DestinationBinding;
import dev.idem.notify.Notifier;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A bound pipeline file: the validated pipeline, where it writes, and where its lineage goes (null
 * without a {@code lineage:} section), and its {@code notify:} hooks (null without). Closing closes
 * the source.
 */
public record PipelineDefinition(
    Path file,
    Pipeline pipeline,
    DestinationBinding destination,
    LineageSettings lineage,
    Notifier notifier)
    implements AutoCloseable {
  @Override
  public void close() {
    try {
      pipeline.source().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
