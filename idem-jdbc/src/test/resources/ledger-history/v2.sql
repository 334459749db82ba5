-- Ledger DDL as idem wrote it, version 2 (c740dcb): dead letters and reconciliation checks. Recorded at f6cfdba; never edit.
-- One statement per line, replayed by LedgerMigrationSuite to build a ledger of an earlier version.
ALTER TABLE "_idem"."windows" ADD COLUMN rows_dead_lettered BIGINT DEFAULT 0
CREATE TABLE IF NOT EXISTS "_idem"."dead_letters" (pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, token BIGINT NOT NULL, seq BIGINT NOT NULL, position VARCHAR NOT NULL, reason VARCHAR NOT NULL, raw VARCHAR, raw_bytes BIGINT NOT NULL, raw_truncated BOOLEAN NOT NULL, run_id VARCHAR, created_at TIMESTAMP NOT NULL, replayed_at TIMESTAMP, replay_run_id VARCHAR, PRIMARY KEY (pipeline, window_id, token, seq))
CREATE TABLE IF NOT EXISTS "_idem"."checks" (pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, check_name VARCHAR NOT NULL, status VARCHAR NOT NULL, detail VARCHAR, run_id VARCHAR, checked_at TIMESTAMP NOT NULL, PRIMARY KEY (pipeline, window_id, check_name))
