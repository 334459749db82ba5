package dev.idem.jdbc.dialect.duckdb;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.VersionModel.Scenario;
import dev.idem.jdbc.VersionModelSuite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Properties;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The reference model on a DuckDB file (one per class); the two runners are threads of one process.
 */
class DuckDbVersionModelProperties extends VersionModelSuite {
  private static Path dir;

  @Override
  protected JdbcDestination open() {
    try {
      dir = Files.createTempDirectory("idem-model");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve("model.duckdb"),
        new Properties(),
        RunServices.defaults().withOwner("r1"),
        Duration.ofSeconds(5));
  }

  @AfterContainer
  static void removeDir() throws IOException {
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Property(tries = 100, shrinking = ShrinkingMode.FULL)
  void theTableIsTheModel(@ForAll("scenarios") Scenario scenario) {
    check(scenario);
  }
}
