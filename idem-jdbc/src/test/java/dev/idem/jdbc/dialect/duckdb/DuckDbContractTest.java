package dev.idem.jdbc.dialect.duckdb;

import dev.idem.destination.Destination;
import dev.idem.destination.DestinationContractSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.run.RunServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The destination contract on the embedded DuckDB default: a real database file per case. */
class DuckDbContractTest extends DestinationContractSuite {
  @TempDir
  Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected Destination newDestination(RunServices services) {
    String url = "jdbc:duckdb:" + dir.resolve("contract-" + files.incrementAndGet() + ".duckdb");
    return JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5));
  }

  @Override
  protected Destination reopen(Destination destination, RunServices services) {
    return ((JdbcDestination) destination).reopen(services);
  }

  @Override
  protected List<String> rows(Destination destination, String table) {
    return TableSnapshot.rows((JdbcDestination) destination, table);
  }

  @Override
  protected void deleteRowsOf(Destination destination, String table, String windowId) {
    TableSnapshot.deleteWindow((JdbcDestination) destination, table, windowId);
  }
}
