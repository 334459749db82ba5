package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.cli.pipelinefile.PipelineFile;
import dev.idem.connector.Secrets;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fixtures of {@link UpgradeKeepsTheLedgerTest}: pipeline files and DuckDB ledgers written by
 * idem at commit f6cfdba (before the issue-12 refactor), with the definition hashes that code
 * computed, under {@code src/test/resources/upgrade/0.1-f6cfdba/}. See the README there.
 */
final class UpgradeFixtures {
  /** The fixture directory of the release whose ledgers a newer idem must keep. */
  static final String RELEASE = "upgrade/0.1-f6cfdba";

  /**
   * The recorded values: {@code <file>.definition_hash}, {@code <file>.source}, {@code
   * <file>.describe}.
   */
  static final String DEFINITIONS = "definitions.properties";

  private UpgradeFixtures() {}

  /**
   * Binds a pipeline file the way every command does. This is the one call into the binder: when
   * the binder is rewritten, adapt this method, never the recorded values.
   */
  static Pipeline bind(Path file) {
    try (PipelineDefinition definition =
        PipelineFile.load(file, List.of(), name -> null, new Secrets())) {
      return definition.pipeline();
    }
  }

  /** The fixture directory as the test classpath holds it (target/test-classes). */
  static Path release() {
    URL url = UpgradeFixtures.class.getClassLoader().getResource(RELEASE + "/" + DEFINITIONS);
    if (url == null) {
      throw new IllegalStateException("no test resource " + RELEASE + "/" + DEFINITIONS);
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every pipeline file of a fixture tree, as paths relative to it with '/' separators, sorted. */
  static List<String> pipelineFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".yaml"))
          .map(f -> root.relativize(f).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a fixture tree, so that runs write beside the copied pipeline files, never into the
   * resources.
   */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
