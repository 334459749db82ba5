package dev.idem.jdbc.dialect.duckdb;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.JdbcDoctorSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@code idem doctor} on DuckDB: a real database file per case. */
class DuckDbDoctorTest extends JdbcDoctorSuite {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected JdbcDestination newDestination(RunServices services) {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve("doctor-" + files.incrementAndGet() + ".duckdb"),
        new Properties(),
        services,
        Duration.ofSeconds(5));
  }

  @Override
  protected boolean otherProcessLeasesAreDead() {
    return true;
  }
}
