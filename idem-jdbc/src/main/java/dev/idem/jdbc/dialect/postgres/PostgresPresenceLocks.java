package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.dialect.PresenceLocks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A runner's presence on PostgreSQL: a session-level advisory lock keyed by {@code
 * hashtextextended('idem.runner:' || owner, 0)}. The server releases it when the holding session
 * ends: when the runner leaves, when its process is killed (its connection closes), when its host
 * is lost (once TCP notices), and at a server restart. Whether it is held is read from {@code
 * pg_locks}, without taking it: an exclusive probe would make the owner look alive to other probes,
 * and keep the owner itself from taking its lock again, while it lasted.
 */
final class PostgresPresenceLocks implements PresenceLocks {
  static final PostgresPresenceLocks INSTANCE = new PostgresPresenceLocks();

  /** The key space of presence locks, apart from the target locks' {@code idem:} names. */
  private static final String PREFIX = "idem.runner:";

  private PostgresPresenceLocks() {}

  @Override
  public boolean hold(Connection holder, String owner) throws SQLException {
    return bool(holder, "SELECT pg_try_advisory_lock(hashtextextended(?, 0))", owner);
  }

  @Override
  public void release(Connection holder, String owner) throws SQLException {
    bool(holder, "SELECT pg_advisory_unlock(hashtextextended(?, 0))", owner);
  }

  /**
   * A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits),
   * objsubid 1.
   */
  @Override
  public boolean held(Connection connection, String owner) throws SQLException {
    return bool(
        connection,
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND ((CAST(classid AS bigint) << 32) | CAST(objid AS bigint)) = hashtextextended(?, 0))",
        owner);
  }

  private static boolean bool(Connection c, String sql, String owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, PREFIX + owner);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
