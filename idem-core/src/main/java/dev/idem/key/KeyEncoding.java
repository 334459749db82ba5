package dev.idem.key;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * The canonical encoding of a tuple of values, and its SHA-256. Stable across JVMs, locales and
 * time zones: nothing here reads the default locale, charset or zone.
 *
 * <p>Each value is encoded in order as one tag byte, then (unless null) a 4-byte big-endian length
 * and that many bytes of UTF-8 canonical text:
 *
 * <pre>
 *   tag 0x00 null          (no length, no bytes)
 *   tag 0x01 string/json   the string as given (no Unicode normalisation)
 *   tag 0x02 integer       decimal digits, '-' for negatives: 42, -7
 *   tag 0x03 decimal       BigDecimal.stripTrailingZeros().toPlainString(): 1.5, 100, 0, -0.25
 *   tag 0x04 boolean       true | false
 *   tag 0x05 date          ISO yyyy-MM-dd
 *   tag 0x06 timestamp     yyyy-MM-ddTHH:mm:ss[.fraction, trailing zeros removed]
 *   tag 0x07 timestamptz   the UTC instant as timestamp text followed by Z
 * </pre>
 *
 * The key hash is the lowercase hex SHA-256 of the concatenated encodings.
 *
 * <p>A Java string may hold an unpaired surrogate (a JSON {@code "\ud800"} escape, for one). Plain
 * UTF-8 encoding would replace it with {@code ?}, so that {@code "\ud800"}, {@code "\udc00"} and
 * {@code "?"} would share a key. Each unpaired surrogate is therefore encoded as its own three
 * bytes ({@code ED A0 80} for U+D800, the generalized UTF-8 known as WTF-8). Those bytes never
 * occur in valid UTF-8, so the encoding stays injective, and every well-formed string encodes
 * exactly as UTF-8.
 */
public final class KeyEncoding {
  private KeyEncoding() {}

  /** Lowercase hex SHA-256 over the canonical encoding of {@code values}. */
  public static String sha256Hex(Object... values) {
    return HexFormat.of().formatHex(sha256(values));
  }

  public static byte[] sha256(Object... values) {
    MessageDigest md = digest();
    update(md, values);
    return md.digest();
  }

  /** Feeds the canonical encoding of {@code values} into {@code md}. */
  public static void update(MessageDigest md, Object... values) {
    for (Object v : values) {
      if (v == null) {
        md.update((byte) 0);
        continue;
      }
      md.update(tag(v));
      byte[] text = utf8(text(v));
      md.update(ByteBuffer.allocate(4).putInt(text.length).array());
      md.update(text);
    }
  }

  /** The canonical encoding as bytes (for tests and documentation). */
  public static byte[] encode(Object... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object v : values) {
      if (v == null) {
        out.write(0);
        continue;
      }
      out.write(tag(v));
      byte[] text = utf8(text(v));
      out.writeBytes(ByteBuffer.allocate(4).putInt(text.length).array());
      out.writeBytes(text);
    }
    return out.toByteArray();
  }

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** UTF-8, except that unpaired surrogates get their own 3-byte form (see the class comment). */
  static byte[] utf8(String s) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i += 2;
      } else if (Character.isSurrogate(c)) {
        break;
      } else {
        i++;
      }
    }
    if (i == n) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(n * 3);
    out.writeBytes(s.substring(0, i).getBytes(StandardCharsets.UTF_8));
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i += 2;
      } else if (Character.isSurrogate(c)) {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
        i++;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        i++;
      }
    }
    return out.toByteArray();
  }

  private static byte tag(Object v) {
    if (v instanceof String) {
      return 1;
    }
    if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      return 2;
    }
    if (v instanceof BigDecimal) {
      return 3;
    }
    if (v instanceof Boolean) {
      return 4;
    }
    if (v instanceof LocalDate) {
      return 5;
    }
    if (v instanceof LocalDateTime) {
      return 6;
    }
    if (v instanceof Instant) {
      return 7;
    }
    throw new IllegalArgumentException("no canonical encoding for " + v.getClass().getName());
  }

  /** The canonical text of a non-null value. */
  public static String text(Object v) {
    if (v instanceof BigDecimal d) {
      return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
    if (v instanceof LocalDateTime t) {
      return timestamp(t);
    }
    if (v instanceof Instant i) {
      return timestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "Z";
    }
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    return v.toString();
  }

  private static String timestamp(LocalDateTime t) {
    StringBuilder sb = new StringBuilder(32);
    int year = t.getYear();
    if (year >= 0 && year <= 9999) {
      // LocalDate.toString's text for these years, without its intermediate string
      sb.append((char) ('0' + year / 1000))
          .append((char) ('0' + year / 100 % 10))
          .append((char) ('0' + year / 10 % 10))
          .append((char) ('0' + year % 10));
      pad2(sb.append('-'), t.getMonthValue()).append('-');
      pad2(sb, t.getDayOfMonth());
    } else {
      sb.append(t.toLocalDate());
    }
    sb.append('T');
    pad2(sb, t.getHour()).append(':');
    pad2(sb, t.getMinute()).append(':');
    pad2(sb, t.getSecond());
    int nanos = t.getNano();
    if (nanos != 0) {
      // the nine digits of the fraction without their trailing zeros; String.format would cost
      // more than the SHA-256 of the whole record
      int digits = 9;
      while (nanos % 10 == 0) {
        nanos /= 10;
        digits--;
      }
      String significant = Integer.toString(nanos);
      sb.append('.');
      for (int i = significant.length(); i < digits; i++) {
        sb.append('0');
      }
      sb.append(significant);
    }
    return sb.toString();
  }

  private static StringBuilder pad2(StringBuilder sb, int v) {
    return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }
}
