package dev.idem.jdbc.dialect.duckdb;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcChecksSuite;
import dev.idem.jdbc.JdbcDestination;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The reconciliation checks on DuckDB: a real database file per case. */
class DuckDbChecksTest extends JdbcChecksSuite {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected JdbcDestination newDestination() {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve("checks-" + files.incrementAndGet() + ".duckdb"),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(5));
  }
}
