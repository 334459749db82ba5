-- Ledger DDL as idem wrote it, version 5 (3773690): records rolled back with a failed window. Recorded at f6cfdba; never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
ALTER TABLE "_idem"."windows" ADD COLUMN rows_rolled_back BIGINT DEFAULT 0
