package dev.idem.jdbc;

import dev.idem.DataException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.jdbc.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Small JDBC routines shared by the destination, its ledger and its writes. */
public final class Jdbc {
  private Jdbc() {}

  /** Maps a database error to idem's: transient (retried) or a one-line permanent error. */
  public static IdemException translate(Dialect dialect, SQLException e, String what) {
    String first = firstLine(e.getMessage());
    if (dialect.classify(e) == Dialect.ErrorKind.TRANSIENT) {
      return new TransientException(what + ": " + first, e);
    }
    return new DataException(what + ": " + first, e);
  }

  public static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * Executes a statement whose every {@code ?} is bound to {@code value}; returns the update count.
   */
  public static long update(Connection c, String sql, Object value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindAll(ps, sql, value);
      return ps.executeLargeUpdate();
    }
  }

  public static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * A single long from a query whose every {@code ?} is bound to {@code value} (null binds
   * nothing).
   */
  public static long queryLong(Connection c, String sql, Object value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (value != null) {
        bindAll(ps, sql, value);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void bindAll(PreparedStatement ps, String sql, Object value) throws SQLException {
    int n = placeholders(sql);
    for (int i = 1; i <= n; i++) {
      ps.setObject(i, value);
    }
  }

  /** Counts {@code ?} outside quoted identifiers and string literals. */
  public static int placeholders(String sql) {
    int n = 0;
    char quote = 0;
    for (int i = 0; i < sql.length(); i++) {
      char ch = sql.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
      } else if (ch == '?') {
        n++;
      }
    }
    return n;
  }

  /**
   * Closes quietly: used only on paths already failing, where a second error would hide the first.
   */
  public static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // the original failure is being reported; a close failure adds nothing a user can act on
    }
  }
}
