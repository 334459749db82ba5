package dev.idem.jdbc;

import dev.idem.destination.Finding;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.notify.OutboxEntry;
import dev.idem.notify.OutboxEntry.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbox of notifications in {@code _idem.outbox}: a row per window commit or recorded failure
 * of a pipeline that keeps one, inserted inside that commit's (or failure's) transaction by {@link
 * JdbcLedger}, so that it commits or rolls back with it. Shared by the views of one destination.
 */
final class Outbox {
  static final String TABLE = LedgerSchema.OUTBOX;

  private final Map<String, Set<Event>> kept = new ConcurrentHashMap<>();

  void keep(String pipeline, Set<Event> events) {
    kept.put(pipeline, Set.copyOf(events));
  }

  /** Inside the window's (or failure's) transaction: records the event if the pipeline keeps it. */
  void record(
      Connection c,
      Lease lease,
      Event event,
      String fingerprint,
      WindowCounts n,
      String error,
      Instant now)
      throws SQLException {
    if (!kept.getOrDefault(lease.pipeline(), Set.of()).contains(event)) {
      return;
    }
    // a failure's record is retried when its acknowledgement was lost: replaced, never doubled
    try (PreparedStatement del =
        c.prepareStatement(
            "DELETE FROM "
                + TABLE
                + " WHERE pipeline = ? AND window_id = ? AND event = ? AND token = ?")) {
      bind(del, lease, event);
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (pipeline, window_id, event, token, fingerprint, rows_inserted, rows_updated,"
                + " rows_deleted, dead_letters, error, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?)")) {
      bind(ps, lease, event);
      ps.setString(5, fingerprint);
      ps.setLong(6, n.inserted());
      ps.setLong(7, n.updated());
      ps.setLong(8, n.deleted());
      ps.setLong(9, n.deadLettered());
      ps.setString(10, error);
      ps.setLong(11, now.toEpochMilli());
      ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Lease lease, Event event) throws SQLException {
    ps.setString(1, lease.pipeline());
    ps.setString(2, lease.windowId());
    ps.setString(3, event.label());
    ps.setLong(4, lease.token());
  }

  /** None when no pipeline kept an outbox in this database yet. */
  static List<OutboxEntry> undelivered(Connection c, String pipeline) throws SQLException {
    List<OutboxEntry> out = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(null, "_idem", "outbox", null)) {
      if (!rs.next()) {
        return out;
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT window_id, event, token, fingerprint, rows_inserted, rows_updated,"
                + " rows_deleted, dead_letters, error, recorded_at_ms FROM "
                + TABLE
                + " WHERE pipeline = ? AND delivered_at_ms IS NULL ORDER BY recorded_at_ms,"
                + " window_id, token")) {
      ps.setString(1, pipeline);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new OutboxEntry(
                  pipeline,
                  rs.getString(1),
                  Event.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getLong(8),
                  rs.getString(9),
                  Instant.ofEpochMilli(rs.getLong(10))));
        }
      }
    }
    return out;
  }

  /** For {@code idem doctor}: each undelivered entry, which the next run delivers. */
  static List<Finding> findings(Connection c, String pipeline) throws SQLException {
    List<Finding> out = new ArrayList<>();
    for (OutboxEntry e : undelivered(c, pipeline)) {
      out.add(
          Finding.report(
              "undelivered_notification",
              e.windowId(),
              "the "
                  + e.event().label()
                  + " notification of window "
                  + e.windowId()
                  + " recorded at "
                  + e.recordedAt()
                  + " is not delivered yet: the next idem run of the pipeline sends it"));
    }
    return out;
  }

  static void delivered(Connection c, OutboxEntry e, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + TABLE
                + " SET delivered_at_ms = ? WHERE pipeline = ? AND window_id = ? AND event = ? AND"
                + " token = ? AND delivered_at_ms IS NULL")) {
      ps.setLong(1, now.toEpochMilli());
      ps.setString(2, e.pipeline());
      ps.setString(3, e.windowId());
      ps.setString(4, e.event().label());
      ps.setLong(5, e.token());
      ps.executeUpdate();
    }
  }
}
