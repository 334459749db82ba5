package dev.idem.jdbc;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.testkit.contract.DestinationContractSuite;
import java.util.List;

/** The destination contract for JDBC databases: subclasses only say how to get a fresh database. */
public abstract class JdbcContractSuite extends DestinationContractSuite {
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
