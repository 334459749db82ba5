package dev.idem.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The repository's examples/, copied into a test's directory without their DuckDB files. */
final class Examples {
  private Examples() {}

  static void copy(Path to) throws IOException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    try (Stream<Path> all = Files.walk(examples)) {
      for (Path p : all.toList()) {
        if (p.toString().endsWith(".duckdb") || p.toString().endsWith(".wal")) {
          continue;
        }
        Path target = to.resolve(examples.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
