package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.write.TombstoneSql;
import dev.idem.pipeline.Pipeline;
import dev.idem.testkit.contract.DestinationContractSuite;
import java.time.LocalDateTime;
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
  protected void ageTombstones(Destination destination, Pipeline pipeline) {
    TableName tombstones = TombstoneSql.table(TableName.parse(pipeline.target().table()));
    long aged =
        ((JdbcDestination) destination)
            .transaction(
                "age tombstones",
                c ->
                    Jdbc.update(
                        c,
                        "UPDATE "
                            + tombstones.sql()
                            + " SET "
                            + SqlName.quote(TombstoneSql.RECORDED_AT)
                            + " = ?",
                        LocalDateTime.of(2000, 1, 1, 0, 0)));
    assertThat(aged).isPositive();
  }

  @Override
  protected void deleteRowsOf(Destination destination, String table, String windowId) {
    TableSnapshot.deleteWindow((JdbcDestination) destination, table, windowId);
  }
}
