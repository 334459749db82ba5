-- Ledger DDL as idem wrote it, version 4 (7431c43): each window's observed input schema. Recorded at f6cfdba; never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
ALTER TABLE "_idem"."windows" ADD COLUMN schema_fingerprint VARCHAR
ALTER TABLE "_idem"."windows" ADD COLUMN schema_drift VARCHAR
ALTER TABLE "_idem"."windows" ADD COLUMN columns_discarded BIGINT DEFAULT 0
ALTER TABLE "_idem"."windows" ADD COLUMN values_discarded BIGINT DEFAULT 0
