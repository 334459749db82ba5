package dev.idem.jdbc.dialect.postgres;

import dev.idem.destination.Destination;
import dev.idem.destination.DestinationContractSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.run.RunServices;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** The destination contract on a real PostgreSQL 17, a fresh database per case. */
class PostgresContractTest extends DestinationContractSuite {
  @Override
  protected Destination newDestination(RunServices services) {
    return JdbcDestination.open(EmbeddedPostgresServer.newDatabase(), new Properties(), services, Duration.ofSeconds(5));
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

  /** PostgreSQL judges leases by its own clock: move the recorded expiries into the past. */
  @Override
  protected void expireLeases(Destination destination) {
    TableSnapshot.execute((JdbcDestination) destination,
        "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
  }
}
