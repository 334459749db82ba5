package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.LedgerMigrationSuite;

/** Ledger migrations from every earlier version, on the embedded PostgreSQL server. */
class PostgresLedgerMigrationTest extends LedgerMigrationSuite {
  @Override
  protected String newDatabaseUrl() {
    return EmbeddedPostgresServer.newDatabase();
  }
}
