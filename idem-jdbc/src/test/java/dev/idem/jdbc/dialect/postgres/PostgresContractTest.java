package dev.idem.jdbc.dialect.postgres;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.JdbcContractSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.Properties;

/** The destination contract on a real PostgreSQL 17, a fresh database per case. */
class PostgresContractTest extends JdbcContractSuite {
  @Override
  protected Destination newDestination(RunServices services) {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(), new Properties(), services, Duration.ofSeconds(5));
  }

  /** PostgreSQL judges leases by its own clock: move the recorded expiries into the past. */
  @Override
  protected void expireLeases(Destination destination) {
    TableSnapshot.execute(
        (JdbcDestination) destination,
        "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
  }
}
