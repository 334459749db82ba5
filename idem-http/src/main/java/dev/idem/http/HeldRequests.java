package dev.idem.http;

import dev.idem.ConfigException;
import dev.idem.destination.SupportsHeldRequests.Decision;
import dev.idem.jdbc.JdbcDestination;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A person's decision about a request in doubt (sent, never answered), recorded in the sent ledger
 * ({@code idem resolve}): resolved as sent, it is acknowledged with no status and never sent again;
 * resolved as not sent, it is planned again, its key's lifetime counted afresh, and the next run
 * sends it. Never while its window is running: the statement that records the decision checks it.
 */
final class HeldRequests {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{1,64}");
  private static final String NOT_RUNNING =
      " AND NOT EXISTS (SELECT 1 FROM \"_idem\".\"windows\" w WHERE w.pipeline = r.pipeline AND"
          + " w.window_id = r.window_id AND w.status = 'RUNNING')";

  private final JdbcDestination store;

  HeldRequests(JdbcDestination store) {
    this.store = store;
  }

  /** What {@link dev.idem.destination.SupportsHeldRequests#resolve} promises. */
  String resolve(String pipeline, String key, Decision decision, Instant now) {
    if (!KEY.matcher(key).matches()) {
      throw new ConfigException(
          "--request: '" + key + "' is not a request key (hex digits, as idem doctor lists them)");
    }
    return store.inTransaction(
        "resolve request " + key,
        c -> {
          List<String[]> found = inDoubt(c, pipeline, key);
          if (found.isEmpty()) {
            throw new ConfigException(
                "--request: pipeline "
                    + pipeline
                    + " has no request in doubt whose key starts with "
                    + key
                    + " (idem doctor lists them)");
          }
          if (found.size() > 1) {
            throw new ConfigException(
                "--request: "
                    + found.size()
                    + " requests in doubt have keys starting with "
                    + key
                    + "; give more of the key");
          }
          String[] r = found.get(0);
          String set =
              decision == Decision.SENT
                  ? "phase = 'acked', status = NULL, acked_at_ms = ?, response = ?"
                  : "phase = 'planned', status = NULL, first_sent_at_ms = NULL, acked_at_ms = ?,"
                      + " response = ?";
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + SentLedger.TABLE
                      + " AS r SET "
                      + set
                      + " WHERE r.pipeline = ? AND r.request_key = ? AND r.phase IN ('sent',"
                      + " 'unknown')"
                      + NOT_RUNNING)) {
            ps.setObject(1, decision == Decision.SENT ? now.toEpochMilli() : null);
            ps.setString(
                2,
                "resolved by hand as "
                    + (decision == Decision.SENT ? "sent" : "not sent")
                    + " (idem resolve, "
                    + now
                    + ")");
            ps.setString(3, pipeline);
            ps.setString(4, r[0]);
            if (ps.executeUpdate() != 1) {
              throw new ConfigException(
                  "--request: window "
                      + r[1]
                      + " of request "
                      + r[0]
                      + " is running; resolve it after the run (a dead runner's window is taken"
                      + " over by the next run)");
            }
          }
          return "window "
              + r[1]
              + ": "
              + r[2]
              + " "
              + r[3]
              + " key "
              + r[0]
              + (decision == Decision.SENT
                  ? ": resolved as sent; the next run acknowledges it and never sends it"
                  : ": resolved as not sent; the next run sends it");
        });
  }

  /** key, window, method, url of each request in doubt whose key starts with {@code prefix}. */
  private static List<String[]> inDoubt(Connection c, String pipeline, String prefix)
      throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT request_key, window_id, method, url FROM "
                + SentLedger.TABLE
                + " WHERE pipeline = ? AND phase IN ('sent', 'unknown') AND request_key LIKE ?"
                + " ORDER BY request_key")) {
      ps.setString(1, pipeline);
      ps.setString(2, prefix + "%"); // hex digits only: no LIKE wildcard can come in with it
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
        }
      }
    }
    return out;
  }
}
