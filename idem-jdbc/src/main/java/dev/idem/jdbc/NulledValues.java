package dev.idem.jdbc;

import dev.idem.ledger.NulledValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _idem.nulled_values} table: the values {@code on_bad_value: null} set to NULL in rows
 * that loaded, one row per value. A window's are held while it streams, then stored inside the
 * window's data transaction, replacing the window's earlier ones: they describe the rows the target
 * holds for the window, so a re-run never duplicates them, and a failed load leaves the last good
 * load's in place.
 */
final class NulledValues {
  static final String TABLE = LedgerSchema.NULLED_VALUES;
  private static final int BATCH = 500;

  private final String pipeline;
  private final String runId;
  private final List<NulledValue> pending = new ArrayList<>();

  NulledValues(String pipeline, String runId) {
    this.pipeline = pipeline;
    this.runId = runId;
  }

  void add(NulledValue value) {
    pending.add(value);
  }

  long count() {
    return pending.size();
  }

  /** Inside the window's transaction: replaces the window's nulled values with this load's. */
  void publish(Connection c, String windowId, Instant now) throws SQLException {
    try (PreparedStatement del =
        c.prepareStatement("DELETE FROM " + TABLE + " WHERE pipeline = ? AND window_id = ?")) {
      del.setString(1, pipeline);
      del.setString(2, windowId);
      del.executeUpdate();
    }
    if (pending.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (pipeline, window_id, seq, position, column_name, raw, reason, run_id,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      LocalDateTime at = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
      long seq = 0;
      for (NulledValue v : pending) {
        int i = 1;
        ps.setString(i++, pipeline);
        ps.setString(i++, windowId);
        ps.setLong(i++, seq);
        ps.setString(i++, v.position());
        ps.setString(i++, v.column());
        ps.setString(i++, v.raw());
        ps.setString(i++, v.reason());
        ps.setString(i++, runId);
        ps.setObject(i, at);
        ps.addBatch();
        if (++seq % BATCH == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /** The nulled values kept for a pipeline, or one of its windows, in window and input order. */
  static List<NulledValue> list(Connection c, String pipeline, Optional<String> windowId)
      throws SQLException {
    String sql =
        "SELECT window_id, position, column_name, raw, reason FROM "
            + TABLE
            + " WHERE pipeline = ?"
            + (windowId.isPresent() ? " AND window_id = ?" : "")
            + " ORDER BY window_id, seq";
    List<NulledValue> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, pipeline);
      if (windowId.isPresent()) {
        ps.setString(2, windowId.get());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new NulledValue(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
    }
    return out;
  }
}
