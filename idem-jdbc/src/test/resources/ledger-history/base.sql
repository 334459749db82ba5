-- Ledger DDL as idem wrote it, the _idem schema and its version table, created before any numbered step. Recorded at f6cfdba; never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
CREATE SCHEMA IF NOT EXISTS "_idem"
CREATE TABLE IF NOT EXISTS "_idem"."meta" (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)
