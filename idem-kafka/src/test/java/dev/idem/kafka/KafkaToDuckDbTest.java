package dev.idem.kafka;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/** Kafka into the embedded DuckDB, exactly once. */
class KafkaToDuckDbTest extends KafkaToJdbcSuite {
  @Override
  JdbcDestination newDestination(RunServices services) {
    return duckDb(services);
  }

  /** A new DuckDB database in a temporary directory. */
  static JdbcDestination duckDb(RunServices services) {
    try {
      Path dir = Files.createTempDirectory("idem-kafka-duckdb");
      dir.toFile().deleteOnExit();
      return JdbcDestination.open(
          "jdbc:duckdb:" + dir.resolve("t.duckdb"),
          new Properties(),
          services,
          Duration.ofSeconds(5));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  void expireLeases(JdbcDestination destination) {
    TableSnapshot.execute(
        destination,
        "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL 1 DAY WHERE status = 'RUNNING'");
  }
}
