package dev.idem.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idem.IdemException;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowSchema;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import java.io.IOException;
import java.time.Instant;

/**
 * The records of a Kafka destination's ledger topics, as JSON. A window's marker has key {@code
 * ["pipeline","window"]} and its {@link WindowState} as value (null: a tombstone, the window was
 * reset); a dead letter has key {@code ["pipeline","window",token,seq]}. Compaction keeps the
 * latest record per key, which is all a reader needs.
 */
final class LedgerRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] COUNTS = {
    "read",
    "discarded",
    "dead_lettered",
    "reshaped",
    "folded",
    "inserted",
    "updated",
    "unchanged",
    "skipped",
    "deleted",
    "replaced",
    "target_rows",
    "rolled_back"
  };

  private LedgerRecords() {}

  /**
   * A window's marker: its ledger row, and which attempt's dead letters stand for its input now
   * ({@code lettersToken}): letters of earlier attempts were replayed at {@code lettersSince} by
   * run {@code lettersRun}.
   */
  record Marker(WindowState state, long lettersToken, Instant lettersSince, String lettersRun) {}

  /** A marker's or a letter's key taken apart. */
  record Key(String pipeline, String windowId, long token, long seq) {}

  static byte[] markerKey(String pipeline, String windowId) {
    ArrayNode a = JSON.createArrayNode().add(pipeline).add(windowId);
    return bytes(a);
  }

  static byte[] letterKey(String pipeline, String windowId, long token, long seq) {
    ArrayNode a = JSON.createArrayNode().add(pipeline).add(windowId).add(token).add(seq);
    return bytes(a);
  }

  /**
   * The key of a ledger record; null when the record is not idem's (someone else wrote to the
   * topic).
   */
  static Key key(byte[] key) {
    if (key == null) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(key);
      if (n == null
          || !n.isArray()
          || (n.size() != 2 && n.size() != 4)
          || !n.get(0).isTextual()
          || !n.get(1).isTextual()) {
        return null;
      }
      return n.size() == 2
          ? new Key(n.get(0).asText(), n.get(1).asText(), 0, 0)
          : new Key(n.get(0).asText(), n.get(1).asText(), n.get(2).asLong(), n.get(3).asLong());
    } catch (IOException e) {
      return null;
    }
  }

  static byte[] markerValue(Marker m) {
    WindowState s = m.state();
    ObjectNode o = JSON.createObjectNode();
    o.put("status", s.status().name());
    o.put("fingerprint", s.fingerprint());
    o.put("definition_hash", s.definitionHash());
    ObjectNode counts = o.putObject("counts");
    WindowCounts c = s.counts();
    long[] values = {
      c.read(),
      c.discarded(),
      c.deadLettered(),
      c.reshaped(),
      c.folded(),
      c.inserted(),
      c.updated(),
      c.unchanged(),
      c.skipped(),
      c.deleted(),
      c.replaced(),
      c.targetRows(),
      c.rolledBack()
    };
    for (int i = 0; i < COUNTS.length; i++) {
      counts.put(COUNTS[i], values[i]);
    }
    o.put("run_id", s.runId());
    o.put("pipeline_version", s.pipelineVersion());
    o.put("attempts", s.attempts());
    o.put("owner", s.owner());
    o.put("token", s.token());
    o.put("started_at", text(s.startedAt()));
    o.put("finished_at", text(s.finishedAt()));
    o.put("error", s.error());
    o.put("source_position", s.sourcePosition());
    if (s.schema() != null) {
      o.put("schema_fingerprint", s.schema().fingerprint());
      o.put("schema_drift", s.schema().drift());
      o.put("columns_discarded", s.schema().columnsDiscarded());
      o.put("values_discarded", s.schema().valuesDiscarded());
    }
    o.put("letters_token", m.lettersToken());
    o.put("letters_since", text(m.lettersSince()));
    o.put("letters_run", m.lettersRun());
    return bytes(o);
  }

  static Marker marker(String pipeline, String windowId, byte[] value, String where) {
    try {
      JsonNode o = JSON.readTree(value);
      JsonNode c = o.path("counts");
      long[] n = new long[COUNTS.length];
      for (int i = 0; i < COUNTS.length; i++) {
        n[i] = c.path(COUNTS[i]).asLong();
      }
      // a marker written before rolled_back was counted reads 0 there (missing), as it was
      WindowCounts counts =
          new WindowCounts(
              n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12]);
      WindowState s =
          new WindowState(
              pipeline,
              windowId,
              WindowStatus.valueOf(o.path("status").asText()),
              string(o, "fingerprint"),
              string(o, "definition_hash"),
              counts,
              string(o, "run_id"),
              string(o, "pipeline_version"),
              o.path("attempts").asInt(),
              string(o, "owner"),
              o.path("token").asLong(),
              null,
              instant(o, "started_at"),
              instant(o, "finished_at"),
              string(o, "error"),
              o.hasNonNull("schema_fingerprint")
                  ? new WindowSchema(
                      string(o, "schema_fingerprint"),
                      string(o, "schema_drift"),
                      o.path("columns_discarded").asLong(),
                      o.path("values_discarded").asLong())
                  : null,
              string(o, "source_position"));
      return new Marker(
          s,
          o.path("letters_token").asLong(),
          instant(o, "letters_since"),
          string(o, "letters_run"));
    } catch (IOException | RuntimeException e) {
      throw new IdemException(
          where
              + " holds a marker for window "
              + windowId
              + " that idem cannot read: "
              + e.getMessage()
              + " (was something else written to the ledger topic?)",
          e);
    }
  }

  /** A letter's value; its window, token and seq are in the key. */
  static byte[] letterValue(DeadLetter l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("position", l.position());
    o.put("reason", l.reason());
    o.put("raw", l.raw());
    o.put("raw_bytes", l.rawBytes());
    o.put("truncated", l.truncated());
    o.put("run_id", l.runId());
    o.put("created_at", text(l.createdAt()));
    return bytes(o);
  }

  static DeadLetter letter(Key key, byte[] value, String where) {
    try {
      JsonNode o = JSON.readTree(value);
      return new DeadLetter(
          key.windowId(),
          key.token(),
          key.seq(),
          string(o, "position"),
          string(o, "reason"),
          string(o, "raw"),
          o.path("raw_bytes").asLong(),
          o.path("truncated").asBoolean(),
          string(o, "run_id"),
          instant(o, "created_at"),
          null,
          null);
    } catch (IOException | RuntimeException e) {
      throw new IdemException(
          where
              + " holds a dead letter of window "
              + key.windowId()
              + " that idem cannot read: "
              + e.getMessage(),
          e);
    }
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a tree of strings and numbers always renders
    }
  }

  private static String string(JsonNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static Instant instant(JsonNode o, String field) {
    String t = string(o, field);
    return t == null ? null : Instant.parse(t);
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }
}
