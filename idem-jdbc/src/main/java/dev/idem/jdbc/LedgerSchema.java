package dev.idem.jdbc;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalInt;

/**
 * The {@code _idem} schema: it records its own version in {@code _idem.meta} and migrates itself
 * forward, one numbered step at a time, each in the transaction that records the new version.
 */
final class LedgerSchema {
  static final String SCHEMA = "_idem";
  static final String WINDOWS = SqlName.quote(SCHEMA) + "." + SqlName.quote("windows");
  static final String META = SqlName.quote(SCHEMA) + "." + SqlName.quote("meta");
  static final String DEAD_LETTERS = SqlName.quote(SCHEMA) + "." + SqlName.quote("dead_letters");
  static final String NULLED_VALUES = SqlName.quote(SCHEMA) + "." + SqlName.quote("nulled_values");
  static final String CHECKS = SqlName.quote(SCHEMA) + "." + SqlName.quote("checks");
  static final String OUTBOX = SqlName.quote(SCHEMA) + "." + SqlName.quote("outbox");

  /** Kept here for idem-http's sent-request ledger, so that its table migrates with the rest. */
  static final String HTTP_REQUESTS = SqlName.quote(SCHEMA) + "." + SqlName.quote("http_requests");

  /** Migration i (from 0) takes the schema from version i to version i+1. */
  static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS "
                  + WINDOWS
                  + " ("
                  + "pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, status VARCHAR NOT NULL,"
                  + " fingerprint VARCHAR, definition_hash VARCHAR,"
                  + " rows_read BIGINT NOT NULL DEFAULT 0, rows_discarded BIGINT NOT NULL DEFAULT 0, rows_reshaped BIGINT NOT NULL DEFAULT 0,"
                  + " rows_folded BIGINT NOT NULL DEFAULT 0, rows_inserted BIGINT NOT NULL DEFAULT 0, rows_updated BIGINT NOT NULL DEFAULT 0,"
                  + " rows_unchanged BIGINT NOT NULL DEFAULT 0, rows_skipped BIGINT NOT NULL DEFAULT 0, rows_deleted BIGINT NOT NULL DEFAULT 0,"
                  + " rows_replaced BIGINT NOT NULL DEFAULT 0, target_rows BIGINT NOT NULL DEFAULT 0,"
                  + " run_id VARCHAR, pipeline_version VARCHAR, attempts INTEGER NOT NULL DEFAULT 0, owner VARCHAR,"
                  + " token BIGINT NOT NULL DEFAULT 0, lease_expires TIMESTAMP, started_at TIMESTAMP, finished_at TIMESTAMP, error VARCHAR,"
                  + " PRIMARY KEY (pipeline, window_id))"),
          // 2: dead letters (records that could not be loaded, kept with the attempt that met
          // them),
          // and reconciliation check results (the latest per pipeline, window and check)
          List.of(
              "ALTER TABLE " + WINDOWS + " ADD COLUMN rows_dead_lettered BIGINT DEFAULT 0",
              "CREATE TABLE IF NOT EXISTS "
                  + DEAD_LETTERS
                  + " ("
                  + "pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, token BIGINT NOT NULL, seq BIGINT NOT NULL,"
                  + " position VARCHAR NOT NULL, reason VARCHAR NOT NULL, raw VARCHAR, raw_bytes BIGINT NOT NULL, raw_truncated BOOLEAN NOT NULL,"
                  + " run_id VARCHAR, created_at TIMESTAMP NOT NULL, replayed_at TIMESTAMP, replay_run_id VARCHAR,"
                  + " PRIMARY KEY (pipeline, window_id, token, seq))",
              "CREATE TABLE IF NOT EXISTS "
                  + CHECKS
                  + " ("
                  + "pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, check_name VARCHAR NOT NULL, status VARCHAR NOT NULL,"
                  + " detail VARCHAR, run_id VARCHAR, checked_at TIMESTAMP NOT NULL,"
                  + " PRIMARY KEY (pipeline, window_id, check_name))"),
          // 3: where a stream window's input ended (a Kafka partition's next offset), committed
          // with its rows
          List.of("ALTER TABLE " + WINDOWS + " ADD COLUMN source_position VARCHAR"),
          // 4: each window's observed input schema (schema_drift): its fingerprint, the drift from
          // the
          // declared schema as one line, and the columns and non-null values discard dropped
          List.of(
              "ALTER TABLE " + WINDOWS + " ADD COLUMN schema_fingerprint VARCHAR",
              "ALTER TABLE " + WINDOWS + " ADD COLUMN schema_drift VARCHAR",
              "ALTER TABLE " + WINDOWS + " ADD COLUMN columns_discarded BIGINT DEFAULT 0",
              "ALTER TABLE " + WINDOWS + " ADD COLUMN values_discarded BIGINT DEFAULT 0"),
          // 5: a failed window's records that went with its rolled-back transaction, so that its
          // row balances too
          List.of("ALTER TABLE " + WINDOWS + " ADD COLUMN rows_rolled_back BIGINT DEFAULT 0"),
          // 6: values on_bad_value null set to NULL in rows that loaded: counted per window, and
          // each kept with its window's rows (replaced when the window loads again)
          List.of(
              "ALTER TABLE " + WINDOWS + " ADD COLUMN values_nulled BIGINT DEFAULT 0",
              "CREATE TABLE IF NOT EXISTS "
                  + NULLED_VALUES
                  + " ("
                  + "pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, seq BIGINT NOT NULL,"
                  + " position VARCHAR NOT NULL, column_name VARCHAR NOT NULL, raw VARCHAR,"
                  + " reason VARCHAR NOT NULL, run_id VARCHAR, created_at TIMESTAMP NOT NULL,"
                  + " PRIMARY KEY (pipeline, window_id, seq))"),
          // 7: the notify outbox (a row per window commit or recorded failure, written in that
          // transaction) and the sent-request ledger of HTTP requests and notifications (issue
          // 17); both were created outside the chain before, in this very shape, hence IF NOT
          // EXISTS
          List.of(
              "CREATE TABLE IF NOT EXISTS "
                  + OUTBOX
                  + " (pipeline VARCHAR NOT NULL, window_id VARCHAR NOT NULL, event VARCHAR NOT NULL,"
                  + " token BIGINT NOT NULL, fingerprint VARCHAR, rows_inserted BIGINT NOT NULL,"
                  + " rows_updated BIGINT NOT NULL, rows_deleted BIGINT NOT NULL, dead_letters BIGINT"
                  + " NOT NULL, error VARCHAR, recorded_at_ms BIGINT NOT NULL, delivered_at_ms BIGINT,"
                  + " PRIMARY KEY (pipeline, window_id, event, token))",
              "CREATE TABLE IF NOT EXISTS "
                  + HTTP_REQUESTS
                  + " (pipeline VARCHAR NOT NULL, request_key VARCHAR NOT NULL, window_id VARCHAR"
                  + " NOT NULL, token BIGINT NOT NULL, phase VARCHAR NOT NULL, payload_hash VARCHAR"
                  + " NOT NULL, method VARCHAR NOT NULL, url VARCHAR NOT NULL, body VARCHAR,"
                  + " sends INTEGER NOT NULL, planned_at_ms BIGINT NOT NULL, first_sent_at_ms"
                  + " BIGINT, acked_at_ms BIGINT, status INTEGER, response VARCHAR, PRIMARY KEY"
                  + " (pipeline, request_key))"));

  static final int VERSION = MIGRATIONS.size();

  private LedgerSchema() {}

  /** Brings the ledger to {@link #VERSION}; refuses a ledger written by a newer idem. */
  static void migrate(Connection c) throws SQLException {
    Jdbc.execute(c, "CREATE SCHEMA IF NOT EXISTS " + SqlName.quote(SCHEMA));
    Jdbc.execute(
        c,
        "CREATE TABLE IF NOT EXISTS "
            + META
            + " (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
    int current = version(c);
    if (current > VERSION) {
      throw new ConfigException(
          "the _idem ledger has schema version "
              + current
              + ", newer than this idem understands ("
              + VERSION
              + "): upgrade idem");
    }
    for (int v = current; v < VERSION; v++) {
      for (String sql : MIGRATIONS.get(v)) {
        Jdbc.execute(c, sql);
      }
    }
    if (current < VERSION) {
      try (PreparedStatement del =
              c.prepareStatement("DELETE FROM " + META + " WHERE name = 'schema_version'");
          PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO " + META + " (name, value) VALUES ('schema_version', ?)")) {
        del.executeUpdate();
        ins.setString(1, Integer.toString(VERSION));
        ins.executeUpdate();
      }
    }
  }

  /**
   * The version of the ledger as it is, without creating or migrating anything; empty when this
   * database has no ledger (idem never ran here).
   */
  static OptionalInt existingVersion(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
      ps.setString(1, SCHEMA);
      ps.setString(2, "meta");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return OptionalInt.empty();
        }
      }
    }
    return OptionalInt.of(version(c));
  }

  /**
   * Refuses, with one line, a ledger that cannot be read as it is: none yet, or another version's
   * (a read-only reader may not migrate it). {@code where} names the database for the message.
   */
  static void requireReadable(Connection c, String where) throws SQLException {
    OptionalInt version = existingVersion(c);
    if (version.isEmpty()) {
      throw new IdemException("no _idem ledger in " + where + ": nothing has run there");
    }
    int v = version.getAsInt();
    if (v != VERSION) {
      throw new IdemException(
          "the _idem ledger in "
              + where
              + " has schema version "
              + v
              + (v < VERSION
                  ? ", older than this idem's (" + VERSION + "): the next run migrates it"
                  : ", newer than this idem understands (" + VERSION + "): upgrade idem"));
    }
  }

  static int version(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT value FROM " + META + " WHERE name = 'schema_version'");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Integer.parseInt(rs.getString(1)) : 0;
    }
  }
}
