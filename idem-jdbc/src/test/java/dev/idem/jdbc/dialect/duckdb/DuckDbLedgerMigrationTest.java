package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.LedgerMigrationSuite;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Ledger migrations from every earlier version, on DuckDB files. */
class DuckDbLedgerMigrationTest extends LedgerMigrationSuite {
  private final AtomicInteger databases = new AtomicInteger();

  @TempDir Path dir;

  @Override
  protected String newDatabaseUrl() {
    return "jdbc:duckdb:" + dir.resolve("ledger-" + databases.incrementAndGet() + ".duckdb");
  }
}
