package dev.idem.jdbc.dialect.postgres;

import static dev.idem.jdbc.SqlName.quote;

import dev.idem.DataException;
import dev.idem.destination.RowRefusedException;
import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.dialect.DirectLoad;
import dev.idem.jdbc.write.HeldVersions;
import dev.idem.jdbc.write.StrategySql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.postgresql.PGConnection;

/**
 * PostgreSQL's {@link DirectLoad}: rows held in memory ({@link HeldVersions}, up to {@code
 * heldChars} characters of text), then one {@code COPY target (...) FROM STDIN} under a savepoint.
 * COPY fills a keyed table about twice as fast as the {@code INSERT ... SELECT} of the staged path,
 * and the window is not copied twice. A key the target holds already makes COPY fail on the key's
 * unique index: the savepoint is rolled back (the window's transaction, its advisory lock and
 * ledger work stay) and the staged path applies the window by its rules. So does any data error
 * (SQLSTATE classes 22 and 23), whose row the staged path then refuses by name.
 */
final class DirectCopy implements DirectLoad {
  /** The default bound on held rows: 16 Mi characters of values, about 200k rows of 7 columns. */
  static final long HELD_CHARS = 16L << 20;

  private final Plan plan;
  private final long heldChars;
  private final HeldVersions held;
  private long chars;

  DirectCopy(Plan plan, long heldChars) {
    this.plan = plan;
    this.heldChars = heldChars;
    this.held = new HeldVersions(plan.columns(), plan.keys(), plan.orderBy());
  }

  @Override
  public boolean add(Object[] row) {
    long size = 0;
    for (Object v : row) {
      size += refuse(v);
    }
    if (chars + size > heldChars || !held.add(row)) {
      return false;
    }
    chars += size;
    return true;
  }

  /**
   * Refuses a value COPY cannot carry, as {@link CopyStager#add} would on the staged path; returns
   * about how many characters it takes.
   */
  private static long refuse(Object v) {
    if (v instanceof String s) {
      if (s.indexOf('\0') >= 0) {
        // the staged path's own message
        try {
          CopyStager.appendQuoted(new StringBuilder(), s);
        } catch (DataException e) {
          throw new RowRefusedException(e.getMessage());
        }
      }
      return s.length() + 3L;
    }
    if (v == null || v instanceof Long || v instanceof BigDecimal || v instanceof LocalDateTime) {
      return 16;
    }
    StringBuilder text = new StringBuilder();
    try {
      CopyStager.appendValue(text, v);
    } catch (DataException e) {
      throw new RowRefusedException(e.getMessage());
    }
    return text.length() + 1L;
  }

  @Override
  public List<Object[]> arrived() {
    return held.arrived();
  }

  @Override
  public long keys() {
    return held.keys();
  }

  @Override
  public OptionalLong load(Connection connection) throws SQLException {
    if (holdsWindow(connection)) {
      return OptionalLong.empty();
    }
    Savepoint before = connection.setSavepoint();
    CopyStager copy = null;
    try {
      copy = new CopyStager(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql()));
      int n = plan.columns().size();
      boolean versioned = plan.windowOrder() != null;
      for (Object[] row : held.kept()) {
        Object[] stamped = Arrays.copyOf(row, n + (versioned ? 2 : 1));
        stamped[n] = plan.window();
        if (versioned) {
          stamped[n + 1] = plan.windowOrder();
        }
        copy.add(stamped);
      }
      copy.finish();
      if (copy.written() != held.keys()) {
        // the target wrote another number of rows than it was given (a trigger that skips rows):
        // the staged path counts what it writes
        connection.rollback(before);
        return OptionalLong.empty();
      }
      connection.releaseSavepoint(before);
      return OptionalLong.of(held.keys());
    } catch (SQLException e) {
      if (copy != null) {
        try {
          copy.close();
        } catch (SQLException cancel) {
          e.addSuppressed(cancel);
        }
      }
      if (!fallsBack(e.getSQLState())) {
        throw e; // a lost connection, a deadlock, a cancel: the window's retry decides
      }
      connection.rollback(before);
      return OptionalLong.empty();
    }
  }

  /**
   * Whether a failed COPY leaves the window to the staged path: any refusal of the data or of COPY
   * itself (a key the target holds, a value of another type, row-level security, which refuses
   * {@code COPY FROM}), all the statements the staged path runs decide for themselves; not a lost
   * connection (08), a rolled back transaction (40: a deadlock, a serialization failure) or an
   * operator's intervention (57: a cancel, a shutdown), which the window's retry handles.
   */
  static boolean fallsBack(String sqlState) {
    String state = String.valueOf(sqlState);
    return !state.startsWith("08") && !state.startsWith("40") && !state.startsWith("57");
  }

  /** Whether rows of this window are in the target: a re-run, whose keys are there already. */
  private boolean holdsWindow(Connection connection) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT 1 FROM "
                + plan.table().sql()
                + " WHERE "
                + quote(StrategySql.WINDOW_COLUMN)
                + " = ? LIMIT 1")) {
      ps.setString(1, plan.window());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  String copySql() {
    return "COPY "
        + plan.table().sql()
        + " ("
        + SqlName.list(plan.columns())
        + ", "
        + quote(StrategySql.WINDOW_COLUMN)
        + (plan.windowOrder() == null ? "" : ", " + quote(StrategySql.WINDOW_ORDER_COLUMN))
        + ") FROM STDIN WITH (FORMAT csv)";
  }
}
