package dev.idem.kafka;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;

/** Kafka tombstones as deletes into a real PostgreSQL. */
class KafkaDeletesToPostgresTest extends KafkaDeletesSuite {
  @Override
  JdbcDestination newDestination(RunServices services) {
    return KafkaToPostgresTest.postgres(services);
  }
}
