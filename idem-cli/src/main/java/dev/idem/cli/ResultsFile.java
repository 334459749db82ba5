package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where run and backfill write their results for programs (docs/cli.md, "Results file"): {@code
 * --results FILE}, or by default {@code .idem/PIPELINE/run_results.json} beside the pipeline file
 * (as dbt writes {@code target/run_results.json}), replaced by each run. {@code --results none}
 * writes none. The file is written whole to a temporary file in the same directory and then moved
 * over the old one, so a reader sees the old results or the new ones, never half a file.
 */
final class ResultsFile {
  /** The value of {@code --results} that turns the file off. */
  static final String NONE = "none";

  @Option(
      names = "--results",
      paramLabel = "FILE",
      description = {
        "Write the run's results as JSON to FILE (windows with status, counts, timings, attempts; the run's totals).",
        "Default: .idem/PIPELINE/run_results.json beside the pipeline file, replaced by each run; 'none' writes none.",
        "Schema: docs/schemas/run-results.schema.json."
      })
  String results;

  /** The file this run writes, if any. */
  Optional<Path> path(PipelineDefinition definition) {
    if (results == null || results.isBlank()) {
      return Optional.of(defaultPath(definition.file(), definition.pipeline().name()));
    }
    return results.strip().equals(NONE) ? Optional.empty() : Optional.of(Path.of(results.strip()));
  }

  /** Whether the location was chosen on the command line (a failure to write it then fails). */
  boolean explicit() {
    return results != null && !results.isBlank() && !results.strip().equals(NONE);
  }

  /** {@code .idem/NAME/run_results.json} in the pipeline file's directory. */
  static Path defaultPath(Path pipelineFile, String pipelineName) {
    Path dir = pipelineFile.toAbsolutePath().normalize().getParent();
    return dir.resolve(".idem").resolve(pipelineName).resolve("run_results.json");
  }

  /** Writes {@code text} to {@code file} atomically: a temporary sibling moved over it. */
  static void write(Path file, String text) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
