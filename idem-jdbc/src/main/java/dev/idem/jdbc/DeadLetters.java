package dev.idem.jdbc;

import dev.idem.TransientException;
import dev.idem.ledger.DeadLetter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _idem.dead_letters} table. A window's letters are held while it streams, then stored
 * inside the window's data transaction, where the letters of earlier attempts of the window are
 * marked replayed: the window read its input again. Letters are never deleted except by {@link
 * #purge}.
 */
final class DeadLetters {
  static final String TABLE = LedgerSchema.DEAD_LETTERS;
  private static final String COLUMNS =
      "pipeline, window_id, token, seq, position, reason, raw, raw_bytes, raw_truncated, run_id, created_at";
  private static final int BATCH = 500;

  private DeadLetters() {}

  /**
   * One attempt's letters, held until the window applies: no statement may run on the window's
   * connection while its bulk path (PostgreSQL COPY) is open. Past {@link #IN_MEMORY} letters they
   * spill to a temporary file, so a window with many bad records does not fill the heap.
   */
  static final class Pending implements AutoCloseable {
    static final int IN_MEMORY = 10_000;
    private final String pipeline;
    private final long token;
    private final String runId;
    private final List<DeadLetter> buffer = new ArrayList<>();
    private Path spill;
    private ObjectOutputStream spillOut;
    private long count;

    Pending(String pipeline, long token, String runId) {
      this.pipeline = pipeline;
      this.token = token;
      this.runId = runId;
    }

    void add(DeadLetter letter) {
      count++;
      buffer.add(letter);
      if (buffer.size() == IN_MEMORY) {
        try {
          if (spillOut == null) {
            spill = Files.createTempFile("idem-dead-letters-", ".bin");
            spillOut =
                new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(spill)));
          }
          for (DeadLetter l : buffer) {
            spillOut.writeObject(l);
          }
          spillOut.reset();
          buffer.clear();
        } catch (IOException e) {
          throw new TransientException(
              "keeping dead letters in a temporary file: " + e.getMessage(), e);
        }
      }
    }

    long count() {
      return count;
    }

    /**
     * Inside the window's transaction, after staging: stores this attempt's letters and marks the
     * window's earlier letters replayed (the window read its input again).
     */
    void publish(Connection c, String windowId, Instant now) throws SQLException {
      supersede(c, pipeline, windowId, token, runId, now);
      if (count == 0) {
        return;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + TABLE
                  + " ("
                  + COLUMNS
                  + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        long seq = 0;
        if (spillOut != null) {
          spillOut.close();
          spillOut = null;
          try (ObjectInputStream in =
              new ObjectInputStream(new BufferedInputStream(Files.newInputStream(spill)))) {
            for (long i = count - buffer.size(); i > 0; i--) {
              seq = addBatch(ps, pipeline, token, seq, runId, now, (DeadLetter) in.readObject());
            }
          } catch (IOException | ClassNotFoundException e) {
            throw new TransientException(
                "reading dead letters back from " + spill + ": " + e.getMessage(), e);
          }
        }
        for (DeadLetter l : buffer) {
          seq = addBatch(ps, pipeline, token, seq, runId, now, l);
        }
        ps.executeBatch();
      } catch (IOException e) {
        throw new TransientException("closing the dead-letter spill file: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        if (spillOut != null) {
          spillOut.close();
        }
        if (spill != null) {
          Files.deleteIfExists(spill);
        }
      } catch (IOException ignored) {
        // a temporary file: the OS cleans up what is left
      }
    }
  }

  /**
   * Marks the window's open letters of earlier attempts replayed: a later attempt read the window's
   * input again, so only its own letters stand for the input as it is now.
   */
  static void supersede(
      Connection c, String pipeline, String windowId, long token, String runId, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + TABLE
                + " SET replayed_at = ?, replay_run_id = ?"
                + " WHERE pipeline = ? AND window_id = ? AND token <> ? AND replayed_at IS NULL")) {
      ps.setObject(1, LocalDateTime.ofInstant(now, ZoneOffset.UTC));
      ps.setString(2, runId);
      ps.setString(3, pipeline);
      ps.setString(4, windowId);
      ps.setLong(5, token);
      ps.executeUpdate();
    }
  }

  private static long addBatch(
      PreparedStatement ps,
      String pipeline,
      long token,
      long seq,
      String runId,
      Instant now,
      DeadLetter letter)
      throws SQLException {
    bind(ps, pipeline, token, ++seq, runId, now, letter);
    ps.addBatch();
    if (seq % BATCH == 0) {
      ps.executeBatch();
    }
    return seq;
  }

  /** Stores letters directly (a failed attempt's, after its data was rolled back). */
  /**
   * Deletes one attempt's letters (a failure recorded again, its first record's acknowledgement
   * having been lost).
   */
  static void deleteAttempt(Connection c, String pipeline, String windowId, long token)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM " + TABLE + " WHERE pipeline = ? AND window_id = ? AND token = ?")) {
      ps.setString(1, pipeline);
      ps.setString(2, windowId);
      ps.setLong(3, token);
      ps.executeUpdate();
    }
  }

  static void insert(
      Connection c,
      String pipeline,
      long token,
      String runId,
      Instant now,
      List<DeadLetter> letters)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      long seq = 0;
      for (DeadLetter letter : letters) {
        seq = addBatch(ps, pipeline, token, seq, runId, now, letter);
      }
      ps.executeBatch();
    }
  }

  private static void bind(
      PreparedStatement ps,
      String pipeline,
      long token,
      long seq,
      String runId,
      Instant now,
      DeadLetter letter)
      throws SQLException {
    int i = 1;
    ps.setString(i++, pipeline);
    ps.setString(i++, letter.windowId());
    ps.setLong(i++, token);
    ps.setLong(i++, seq);
    ps.setString(i++, letter.position());
    ps.setString(i++, letter.reason());
    ps.setString(i++, letter.raw());
    ps.setLong(i++, letter.rawBytes());
    ps.setBoolean(i++, letter.truncated());
    ps.setString(i++, runId);
    ps.setObject(i, LocalDateTime.ofInstant(now, ZoneOffset.UTC));
  }

  static List<DeadLetter> list(
      Connection c, String pipeline, Optional<String> windowId, boolean includeReplayed)
      throws SQLException {
    String sql =
        "SELECT window_id, token, seq, position, reason, raw, raw_bytes, raw_truncated, run_id, created_at, replayed_at, replay_run_id"
            + " FROM "
            + TABLE
            + " WHERE pipeline = ?"
            + (windowId.isPresent() ? " AND window_id = ?" : "")
            + (includeReplayed ? "" : " AND replayed_at IS NULL")
            + " ORDER BY window_id, token, seq";
    List<DeadLetter> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, pipeline);
      if (windowId.isPresent()) {
        ps.setString(2, windowId.get());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new DeadLetter(
                  rs.getString(1),
                  rs.getLong(2),
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getLong(7),
                  rs.getBoolean(8),
                  rs.getString(9),
                  instant(rs, 10),
                  instant(rs, 11),
                  rs.getString(12)));
        }
      }
    }
    return out;
  }

  static List<String> openWindows(Connection c, String pipeline) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DISTINCT window_id FROM "
                + TABLE
                + " WHERE pipeline = ? AND replayed_at IS NULL ORDER BY window_id")) {
      ps.setString(1, pipeline);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  static int purge(Connection c, String pipeline, Instant before) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + TABLE + " WHERE pipeline = ? AND created_at < ?")) {
      ps.setString(1, pipeline);
      ps.setObject(2, LocalDateTime.ofInstant(before, ZoneOffset.UTC));
      return ps.executeUpdate();
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toLocalDateTime().toInstant(ZoneOffset.UTC);
  }
}
