package dev.idem.kafka;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.Properties;

/** Kafka into a real PostgreSQL, exactly once; a fresh database per case. */
class KafkaToPostgresTest extends KafkaToJdbcSuite {
  @Override
  JdbcDestination newDestination(RunServices services) {
    return postgres(services);
  }

  /** A fresh database of the embedded PostgreSQL server. */
  static JdbcDestination postgres(RunServices services) {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(), new Properties(), services, Duration.ofSeconds(5));
  }

  @Override
  void expireLeases(JdbcDestination destination) {
    TableSnapshot.execute(
        destination,
        "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
  }
}
