-- Ledger DDL as idem wrote it, version 3 (d615153): where a stream window's input ended. Recorded at f6cfdba; never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
ALTER TABLE "_idem"."windows" ADD COLUMN source_position VARCHAR
