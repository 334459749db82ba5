package dev.idem.http;

import dev.idem.TransientException;
import dev.idem.destination.FencedException;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.ledger.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sent-request ledger: one row per request key of a pipeline in {@code _idem.http_requests},
 * beside the window ledger of the JDBC store (one of the ledger's tables, created and migrated with
 * it), moved through its phases (planned, sent, then acknowledged, dead or unknown). Every write is
 * fenced: it happens only while the window's ledger row still holds the writer's lease token,
 * checked in the same statement.
 */
final class SentLedger {
  static final String TABLE = "\"_idem\".\"http_requests\"";

  /** Whether {@code store} holds the sent ledger's table (a pipeline that never sent has none). */
  static boolean exists(JdbcDestination store) {
    return store.inTransaction(
        "look for " + TABLE,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM information_schema.tables WHERE table_schema = '_idem' AND"
                      + " table_name = 'http_requests'")) {
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  private static final String FENCE =
      " AND EXISTS (SELECT 1 FROM \"_idem\".\"windows\" w WHERE w.pipeline = ? AND w.window_id = ?"
          + " AND w.token = ? AND w.status = 'RUNNING')";
  private static final int CHUNK = 500;

  /** Where a request is. */
  enum Phase {
    PLANNED,
    SENT,
    ACKED,
    DEAD,
    UNKNOWN;

    String sql() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Sent or held: its effect may have happened. */
    boolean inDoubt() {
      return this == SENT || this == UNKNOWN;
    }
  }

  /**
   * A request's row as last read. {@code firstSentAt} is null until it was first sent; {@code
   * window} and {@code token} are the attempt that planned it last (its owner).
   */
  record Entry(
      String key,
      String payloadHash,
      Phase phase,
      Instant firstSentAt,
      Integer status,
      String response,
      String window,
      long token) {
    boolean settled() {
      return phase == Phase.ACKED || phase == Phase.DEAD;
    }
  }

  /** A request a window plans to send. */
  record Planned(String key, String payloadHash, String method, String url, String body) {}

  private final JdbcDestination store;

  /**
   * False for notifications: they are sent after their window committed, when no lease is left to
   * fence by; their keys (one per window load) make a second sender's request a duplicate the API
   * drops.
   */
  private final boolean fenced;

  SentLedger(JdbcDestination store) {
    this(store, true);
  }

  /** The phase changes of requests in flight, committed together (see {@link GroupCommit}). */
  private final GroupCommit writes;

  private SentLedger(JdbcDestination store, boolean fenced) {
    this.store = store;
    this.fenced = fenced;
    this.writes = new GroupCommit(store);
  }

  /** The same ledger, its writes fenced by nothing: for the notifications of committed windows. */
  static SentLedger unfenced(JdbcDestination store) {
    return new SentLedger(store, false);
  }

  /**
   * Records the window's requests as planned, in one transaction fenced by the lease, and returns
   * every one's entry. A request acknowledged or refused with the same payload keeps its row (it is
   * not sent again); one whose payload changed is planned anew under the same key, unless its
   * earlier payload's outcome is in doubt: that row stays until it is recovered. A request not
   * settled that another window's attempt planned, while that attempt still holds its window, is
   * that attempt's to send: this one fails transiently and is retried (taking it over would let
   * both send it, as two windows may hold one request key).
   */
  Map<String, Entry> plan(Lease lease, List<Planned> requests, Instant now) {
    return store.inTransaction(
        "plan the requests of window " + lease.windowId(),
        c -> {
          if (fenced) {
            fence(c, lease);
          }
          Map<String, Entry> existing = read(c, lease.pipeline(), requests);
          for (Entry e : existing.values()) {
            if (!e.settled()
                && !(e.window().equals(lease.windowId()) && e.token() == lease.token())
                && holds(c, lease.pipeline(), e.window(), e.token())) {
              throw new TransientException(
                  "window "
                      + lease.windowId()
                      + ": request "
                      + e.key()
                      + " is being sent by window "
                      + e.window()
                      + ", whose attempt still holds it; retried (if that runner is gone, the"
                      + " next run of window "
                      + e.window()
                      + " takes it over, or idem doctor --fix fails it)",
                  null);
            }
          }
          Map<String, Entry> out = new HashMap<>();
          try (PreparedStatement insert =
                  c.prepareStatement(
                      "INSERT INTO "
                          + TABLE
                          + " (pipeline, request_key, window_id, token, phase, payload_hash, method,"
                          + " url, body, sends, planned_at_ms) VALUES (?, ?, ?, ?, 'planned', ?, ?, ?,"
                          + " ?, 0, ?)");
              // both only while the row is as read: another window's plan in between makes this
              // one fail transiently (its batch counts a row not changed)
              PreparedStatement delete =
                  c.prepareStatement(
                      "DELETE FROM "
                          + TABLE
                          + " WHERE pipeline = ? AND request_key = ?"
                          + AS_READ);
              PreparedStatement claim =
                  c.prepareStatement(
                      "UPDATE "
                          + TABLE
                          + " SET window_id = ?, token = ? WHERE pipeline = ? AND request_key = ?"
                          + AS_READ)) {
            for (Planned p : requests) {
              Entry e = existing.get(p.key());
              boolean samePayload = e != null && e.payloadHash().equals(p.payloadHash());
              if (e != null && (samePayload || e.phase().inDoubt())) {
                out.put(p.key(), e);
                if (!e.settled()) {
                  claim.setString(1, lease.windowId());
                  claim.setLong(2, lease.token());
                  claim.setString(3, lease.pipeline());
                  claim.setString(4, p.key());
                  asRead(claim, 5, e);
                  claim.addBatch();
                }
                continue;
              }
              if (e != null) {
                delete.setString(1, lease.pipeline());
                delete.setString(2, p.key());
                asRead(delete, 3, e);
                delete.addBatch();
              }
              int i = 1;
              insert.setString(i++, lease.pipeline());
              insert.setString(i++, p.key());
              insert.setString(i++, lease.windowId());
              insert.setLong(i++, lease.token());
              insert.setString(i++, p.payloadHash());
              insert.setString(i++, p.method());
              insert.setString(i++, p.url());
              insert.setString(i++, p.body());
              insert.setLong(i, now.toEpochMilli());
              insert.addBatch();
              out.put(
                  p.key(),
                  new Entry(
                      p.key(),
                      p.payloadHash(),
                      Phase.PLANNED,
                      null,
                      null,
                      null,
                      lease.windowId(),
                      lease.token()));
            }
            allOne(lease, delete.executeBatch());
            insert.executeBatch();
            allOne(lease, claim.executeBatch());
          }
          return out;
        });
  }

  /** Sent: recorded before the request leaves, so a crash after it leaves is a request in doubt. */
  void sent(Lease lease, String key, Instant now) {
    update(
        lease,
        key,
        "sending request " + key,
        "phase = 'sent', sends = sends + 1, first_sent_at_ms = COALESCE(first_sent_at_ms, ?)",
        now.toEpochMilli());
  }

  /**
   * Back to planned after a connection that was never made: the request did not leave, so its send
   * does not count, nor does the key's lifetime start with it (when it was its first).
   */
  void notSent(Lease lease, String key) {
    update(
        lease,
        key,
        "putting back request " + key,
        "phase = 'planned', sends = sends - 1,"
            + " first_sent_at_ms = CASE WHEN sends = 1 THEN NULL ELSE first_sent_at_ms END");
  }

  /** Acknowledged (2xx), refused (dead), held as unknown, or back to planned (429, 503). */
  void settle(Lease lease, String key, Phase phase, Integer status, String response, Instant now) {
    int rows =
        writes.write(
            "record the response to request " + key,
            settling(lease, key, phase, status, response, now));
    if (rows != 1) {
      throw fenced(lease);
    }
  }

  /**
   * The same as {@link #settle}, but returns before the change is durable: it joins the next
   * transaction of the ledger's writes. Only for an outcome whose loss in a crash is harmless (the
   * request stays sent, so its recovery sends it again with the same key or looks it up); {@link
   * #durable} must be called with the tickets before anything counts on them.
   */
  GroupCommit.Ticket settleLater(
      Lease lease, String key, Phase phase, Integer status, String response, Instant now) {
    return writes.later(
        "record the response to request " + key,
        settling(lease, key, phase, status, response, now));
  }

  /** Returns once every ticket's change is durable; fails if any failed or its fence did. */
  void durable(Lease lease, List<GroupCommit.Ticket> tickets) {
    writes.await(tickets);
    for (GroupCommit.Ticket t : tickets) {
      if (t.rows() != 1) {
        throw fenced(lease);
      }
    }
  }

  private GroupCommit.Write settling(
      Lease lease, String key, Phase phase, Integer status, String response, Instant now) {
    return updating(
        lease,
        key,
        "phase = '" + phase.sql() + "', status = ?, response = ?, acked_at_ms = ?",
        status,
        response,
        phase == Phase.ACKED ? now.toEpochMilli() : null);
  }

  private void update(Lease lease, String key, String what, String set, Object... values) {
    if (writes.write(what, updating(lease, key, set, values)) != 1) {
      throw fenced(lease);
    }
  }

  private GroupCommit.Write updating(Lease lease, String key, String set, Object... values) {
    String sql =
        "UPDATE "
            + TABLE
            + " SET "
            + set
            + " WHERE pipeline = ? AND request_key = ?"
            + (fenced ? FENCE : "");
    return s -> {
      PreparedStatement ps = s.prepare(sql);
      int i = 1;
      for (Object v : values) {
        if (v == null) {
          ps.setNull(i++, Types.NULL);
        } else {
          ps.setObject(i++, v);
        }
      }
      ps.setString(i++, lease.pipeline());
      ps.setString(i++, key);
      if (fenced) {
        bindFence(ps, i, lease);
      }
      return ps.executeUpdate();
    };
  }

  /** The requests held as unknown or sent and never answered, of a pipeline, oldest first. */
  List<String> inDoubt(String pipeline) {
    return store.inTransaction(
        "list requests of unknown outcome",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT window_id, request_key, phase, method, url FROM "
                      + TABLE
                      + " WHERE pipeline = ? AND phase IN ('sent', 'unknown') ORDER BY"
                      + " first_sent_at_ms, request_key")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    "window "
                        + rs.getString(1)
                        + ": "
                        + rs.getString(4)
                        + " "
                        + rs.getString(5)
                        + " key "
                        + rs.getString(2)
                        + " ("
                        + rs.getString(3)
                        + ")");
              }
            }
          }
          return out;
        });
  }

  /** The row is still as it was read: its phase, payload and owner. */
  private static final String AS_READ =
      " AND phase = ? AND payload_hash = ? AND window_id = ? AND token = ?";

  private static void asRead(PreparedStatement ps, int i, Entry e) throws SQLException {
    ps.setString(i, e.phase().sql());
    ps.setString(i + 1, e.payloadHash());
    ps.setString(i + 2, e.window());
    ps.setLong(i + 3, e.token());
  }

  /** Each statement of a batch changed its one row; else another window's plan came between. */
  private static void allOne(Lease lease, int[] counts) {
    for (int n : counts) {
      if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
        throw new TransientException(
            "window "
                + lease.windowId()
                + ": another window planned one of its requests at the same time; planned again",
            null);
      }
    }
  }

  /** Whether {@code window}'s attempt {@code token} still holds the window (running). */
  private static boolean holds(Connection c, String pipeline, String window, long token)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM \"_idem\".\"windows\" w WHERE w.pipeline = ? AND w.window_id = ?"
                + " AND w.token = ? AND w.status = 'RUNNING'")) {
      ps.setString(1, pipeline);
      ps.setString(2, window);
      ps.setLong(3, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void fence(Connection c, Lease lease) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 WHERE 1 = 1" + FENCE)) {
      bindFence(ps, 1, lease);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw fenced(lease);
        }
      }
    }
  }

  private static void bindFence(PreparedStatement ps, int i, Lease lease) throws SQLException {
    ps.setString(i, lease.pipeline());
    ps.setString(i + 1, lease.windowId());
    ps.setLong(i + 2, lease.token());
  }

  private static FencedException fenced(Lease lease) {
    return new FencedException(
        "window "
            + lease.windowId()
            + ": lease token "
            + lease.token()
            + " was taken over by another runner");
  }

  private static Map<String, Entry> read(Connection c, String pipeline, List<Planned> requests)
      throws SQLException {
    Map<String, Entry> out = new HashMap<>();
    for (int from = 0; from < requests.size(); from += CHUNK) {
      List<Planned> chunk = requests.subList(from, Math.min(requests.size(), from + CHUNK));
      String in = "?" + ", ?".repeat(chunk.size() - 1);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT request_key, payload_hash, phase, first_sent_at_ms, status, response,"
                  + " window_id, token FROM "
                  + TABLE
                  + " WHERE pipeline = ? AND request_key IN ("
                  + in
                  + ")")) {
        ps.setString(1, pipeline);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 2, chunk.get(i).key());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long sent = rs.getLong(4);
            Instant firstSent = rs.wasNull() ? null : Instant.ofEpochMilli(sent);
            int status = rs.getInt(5);
            Integer st = rs.wasNull() ? null : status;
            out.put(
                rs.getString(1),
                new Entry(
                    rs.getString(1),
                    rs.getString(2),
                    Phase.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)),
                    firstSent,
                    st,
                    rs.getString(6),
                    rs.getString(7),
                    rs.getLong(8)));
          }
        }
      }
    }
    return out;
  }
}
