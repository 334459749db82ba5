package dev.idem.jdbc.dialect.duckdb;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.JdbcContractSuite;
import dev.idem.jdbc.JdbcDestination;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The destination contract on the embedded DuckDB default: a real database file per case. */
class DuckDbContractTest extends JdbcContractSuite {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected Destination newDestination(RunServices services) {
    String url = "jdbc:duckdb:" + dir.resolve("contract-" + files.incrementAndGet() + ".duckdb");
    return JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5));
  }
}
