package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.DeleteRaceSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TwoRunners;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The delete race on DuckDB: two runners are two threads of one process, on one file. */
class DuckDbDeleteRaceTest extends DeleteRaceSuite {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected JdbcDestination open() {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve("race-" + files.incrementAndGet() + ".duckdb"),
        new Properties(),
        TwoRunners.services("r1"),
        Duration.ofSeconds(5));
  }
}
