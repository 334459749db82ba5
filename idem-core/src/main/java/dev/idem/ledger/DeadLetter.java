package dev.idem.ledger;

import dev.idem.source.SourceRecord;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A record that could not be loaded, kept in the destination with its window: where it was in the
 * input, why it was refused, and its raw input, capped at {@link #MAX_RAW_BYTES} (the full size and
 * whether it was cut are recorded). {@code token} is the attempt that met it; {@code replayedAt} is
 * set once a later load of the window read the input again.
 */
public record DeadLetter(
    String windowId,
    long token,
    long seq,
    String position,
    String reason,
    String raw,
    long rawBytes,
    boolean truncated,
    String runId,
    Instant createdAt,
    Instant replayedAt,
    String replayRunId)
    implements Serializable {
  /** Raw input kept per letter; longer input is cut at a character boundary. */
  public static final int MAX_RAW_BYTES = 64 * 1024;

  /** A new letter for a bad record of an attempt (seq, run and times are set when it is stored). */
  public static DeadLetter of(String windowId, SourceRecord record) {
    String raw = record.raw() == null ? "" : record.raw();
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    boolean cut = bytes.length > MAX_RAW_BYTES;
    String kept = cut ? cut(raw) : raw;
    // NUL is refused by PostgreSQL text: a letter must be storable whatever the input held
    return new DeadLetter(
        windowId,
        0,
        0,
        record.position(),
        record.problem().replace('\0', '\uFFFD'),
        kept.replace('\0', '\uFFFD'),
        bytes.length,
        cut,
        null,
        null,
        null,
        null);
  }

  public boolean replayed() {
    return replayedAt != null;
  }

  private static String cut(String raw) {
    int bytes = 0;
    int i = 0;
    while (i < raw.length()) {
      int cp = raw.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > MAX_RAW_BYTES) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return raw.substring(0, i);
  }
}
