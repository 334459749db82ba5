package dev.idem.kafka;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;

/** Kafka tombstones as deletes into the embedded DuckDB. */
class KafkaDeletesToDuckDbTest extends KafkaDeletesSuite {
  @Override
  JdbcDestination newDestination(RunServices services) {
    return KafkaToDuckDbTest.duckDb(services);
  }
}
