package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.LedgerMigrationSuite;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;

/** Ledger migrations from every earlier version, on the embedded PostgreSQL server. */
class PostgresLedgerMigrationTest extends LedgerMigrationSuite {
  @Override
  protected String newDatabaseUrl() {
    return EmbeddedPostgresServer.newDatabase();
  }
}
