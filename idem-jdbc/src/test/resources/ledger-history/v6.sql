-- Ledger DDL as idem wrote it, version 6 (branch values): values nulled by on_bad_value null, counted per window and kept in nulled_values. Never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
ALTER TABLE "_idem"."windows" ADD COLUMN values_nulled BIGINT DEFAULT 0
CREATE TABLE IF NOT EXISTS "_idem"."nulled_values" (pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, seq BIGINT NOT NULL, position VARCHAR NOT NULL, column_name VARCHAR NOT NULL, raw VARCHAR, reason VARCHAR NOT NULL, run_id VARCHAR, created_at TIMESTAMP NOT NULL, PRIMARY KEY (pipeline, window_id, seq))
