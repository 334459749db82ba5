package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.DeleteRaceSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TwoRunners;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.Properties;

/**
 * The delete race on a real PostgreSQL: two runners with connections of their own, as two processes
 * would have; a runner waiting on the other's lock shows in {@code pg_stat_activity}.
 */
class PostgresDeleteRaceTest extends DeleteRaceSuite {
  @Override
  protected JdbcDestination open() {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(),
        new Properties(),
        TwoRunners.services("r1"),
        Duration.ofSeconds(5));
  }

  @Override
  protected boolean sessionWaitsOnALock(JdbcDestination destination) {
    return !destination
        .tableRows(
            "(SELECT pid FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock')")
        .isEmpty();
  }
}
