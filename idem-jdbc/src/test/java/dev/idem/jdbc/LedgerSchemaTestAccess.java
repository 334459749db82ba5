package dev.idem.jdbc;

/** Test access to the ledger's migrations. */
public final class LedgerSchemaTestAccess {
  private LedgerSchemaTestAccess() {}

  /** The ledger schema version this idem migrates to. */
  public static int version() {
    return LedgerSchema.VERSION;
  }

  /** The DDL of schema version 1, as an older idem left it. */
  public static String firstMigration() {
    return LedgerSchema.MIGRATIONS.get(0).get(0);
  }
}
