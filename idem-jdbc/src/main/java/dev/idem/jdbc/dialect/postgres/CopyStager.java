package dev.idem.jdbc.dialect.postgres;

import dev.idem.DataException;
import dev.idem.destination.RowRefusedException;
import dev.idem.jdbc.dialect.Staging.Stager;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows as CSV into COPY, through a 64 KiB buffer. Every non-null text value is quoted, so
 * an empty string stays distinct from NULL (an unquoted empty field); integers, decimals and
 * timestamps, which are never empty and hold no quote, comma or NUL, are written unquoted straight
 * into the buffer (formatting them through {@code toString} was most of the staging time).
 */
final class CopyStager implements Stager {
  private static final int FLUSH_AT = 64 * 1024;
  private final CopyIn copy;
  private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
  private boolean ended;
  private long written;

  CopyStager(CopyIn copy) {
    this.copy = copy;
  }

  @Override
  public void add(Object[] row) throws SQLException {
    int start = buffer.length();
    try {
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          buffer.append(',');
        }
        appendValue(buffer, row[i]);
      }
    } catch (DataException e) {
      // nothing of the row stays in the COPY buffer: the row alone is refused
      buffer.setLength(start);
      throw new RowRefusedException(e.getMessage());
    }
    buffer.append('\n');
    if (buffer.length() >= FLUSH_AT) {
      flush();
    }
  }

  /** One value as a CSV field; nothing for null. */
  static void appendValue(StringBuilder sb, Object v) {
    if (v == null) {
      return;
    }
    if (v instanceof Long l) {
      sb.append(l.longValue());
      return;
    }
    if (v instanceof BigDecimal d) {
      sb.append(d.toPlainString());
      return;
    }
    if (v instanceof LocalDateTime t && appendTimestamp(sb, t)) {
      return;
    }
    appendQuoted(sb, text(v));
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.nnnnnnnnn]} for years 1 to 9999: the value {@code toString} gives,
   * which PostgreSQL reads the same way; false (nothing appended) for other years.
   */
  @SuppressWarnings(
      "JavaLocalDateTimeGetNano") // the fraction is written after the seconds, read just above
  static boolean appendTimestamp(StringBuilder sb, LocalDateTime t) {
    int year = t.getYear();
    if (year < 1 || year > 9999) {
      return false;
    }
    digits(sb, year, 4).append('-');
    digits(sb, t.getMonthValue(), 2).append('-');
    digits(sb, t.getDayOfMonth(), 2).append('T');
    digits(sb, t.getHour(), 2).append(':');
    digits(sb, t.getMinute(), 2).append(':');
    digits(sb, t.getSecond(), 2);
    if (t.getNano() != 0) {
      digits(sb.append('.'), t.getNano(), 9);
    }
    return true;
  }

  /** {@code v} (not negative) in exactly {@code width} digits, zero-padded. */
  private static StringBuilder digits(StringBuilder sb, int v, int width) {
    for (int scale = pow10(width - 1); scale > 1 && v < scale; scale /= 10) {
      sb.append('0');
    }
    return sb.append(v);
  }

  private static int pow10(int n) {
    int p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  static String text(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    if (v instanceof LocalDateTime t) {
      return t.toString();
    }
    if (v instanceof Boolean b) {
      return b ? "t" : "f";
    }
    return v.toString();
  }

  static void appendQuoted(StringBuilder sb, String s) {
    if (s.indexOf('\0') >= 0) {
      throw new DataException(
          "a text value contains a NUL character, which PostgreSQL text cannot store (at offset "
              + s.indexOf('\0')
              + ")");
    }
    sb.append('"');
    if (s.indexOf('"') < 0) {
      sb.append(s).append('"'); // the common case, appended in bulk
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"') {
        sb.append('"');
      }
      sb.append(ch);
    }
    sb.append('"');
  }

  private void flush() throws SQLException {
    if (buffer.length() > 0) {
      byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(bytes, 0, bytes.length);
      buffer.setLength(0);
    }
  }

  @Override
  public void finish() throws SQLException {
    flush();
    written = copy.endCopy();
    ended = true;
  }

  /** The rows the server said it wrote, once {@link #finish} ended the COPY. */
  long written() {
    return written;
  }

  @Override
  public void close() throws SQLException {
    if (!ended && copy.isActive()) {
      copy.cancelCopy();
    }
  }
}
