package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.connector.Secrets;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;

/** A pipeline file written to a directory, then loaded, or refused with a one-line error. */
final class YamlFiles {
  private final Path file;

  YamlFiles(Path dir) {
    this.file = dir.resolve("pipeline.yaml");
  }

  /** The pipeline this YAML loads to (no environment, no overrides). */
  Pipeline load(String yaml) throws IOException {
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return PipelineFile.load(file, List.of(), Map.<String, String>of()::get, new Secrets())
        .pipeline();
  }

  /**
   * The one-line error loading this YAML gives, without the file's path: {@code :line: message}.
   */
  String error(String yaml) throws IOException {
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    Throwable t =
        Assertions.catchThrowable(
            () -> PipelineFile.load(file, List.of(), Map.<String, String>of()::get, new Secrets()));
    assertThat(t).isInstanceOf(PipelineFileException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage().substring(file.toString().length());
  }
}
