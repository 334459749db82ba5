package dev.idem.iceberg;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.pipeline.Pipeline;
import dev.idem.testkit.contract.DestinationContractSuite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination contract on Iceberg tables in a local warehouse with the embedded SQLite JDBC
 * catalog: every case runs for real but the SQL transform fixture of the balance cases (there is no
 * SQL engine: the destination does not implement {@code SupportsSqlTransform}).
 */
class IcebergContractTest extends DestinationContractSuite {
  @TempDir Path dir;

  private int warehouses;

  @Override
  protected Destination newDestination(RunServices services) {
    Path warehouse = dir.resolve("warehouse-" + ++warehouses);
    try {
      Files.createDirectories(warehouse);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IcebergSettings local = IcebergSettings.local(warehouse, "idem");
    // SQLite syncs its write-ahead log at every commit by default (about 5 ms here, and a case
    // makes tens of commits); NORMAL keeps every commit through a killed process, which is what
    // the contract's crashes are, and gives up only an operating-system crash's last commits
    return new IcebergDestination(
        new IcebergSettings(
            local.warehouse(),
            local.catalogType(),
            local.catalogUri(),
            local.namespace(),
            Map.of("jdbc.synchronous", "NORMAL")),
        services);
  }

  @Override
  protected Destination reopen(Destination destination, RunServices services) {
    return ((IcebergDestination) destination).reopen(services);
  }

  @Override
  protected List<String> rows(Destination destination, String table) {
    return ((IcebergDestination) destination).tableRows(table);
  }

  /** Rewrites the table's ledger with every tombstone recorded in the year 2000. */
  @Override
  protected void ageTombstones(Destination destination, Pipeline p) {
    LedgerStore store = ((IcebergDestination) destination).store(p.name()).orElseThrow();
    store.change(
        "ageing of tombstones",
        (state, tx) -> {
          state
              .tombstones(SlicePlanner.newer(p.target()))
              .values()
              .forEach(t -> t.recordedAt = Instant.parse("2000-01-01T00:00:00Z"));
          return LedgerStore.Outcome.commit(null);
        });
  }

  /** Deletes the window's data files behind idem's back, as another writer of the table would. */
  @Override
  protected void deleteRowsOf(Destination destination, String table, String windowId) {
    IcebergDestination d = (IcebergDestination) destination;
    try (var catalog = new CatalogHandle(d.settings())) {
      Table t = catalog.load(TableIdentifier.of("idem", table));
      var delete = t.newDelete();
      for (DataFile f : new TableFiles(t).files(Expressions.equal(TableSchema.WINDOW, windowId))) {
        delete.deleteFile(f);
      }
      delete.commit();
    }
  }
}
