package dev.idem.key;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * An order-insensitive fingerprint of a multiset of records: the sum modulo 2^256 of each record's
 * SHA-256, with the count. Reordering input leaves it unchanged; a duplicated, missing or altered
 * record changes it.
 */
public final class Fingerprint {
  private static final VarHandle BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private final MessageDigest md = KeyEncoding.digest();
  private final byte[] digest = new byte[32];

  /**
   * The sum as four 64-bit words, least significant first (a BigInteger per record cost a tenth of
   * the hashing).
   */
  private final long[] sum = new long[4];

  private long count;

  public void add(Object[] values) {
    KeyEncoding.update(md, values);
    try {
      md.digest(digest, 0, digest.length);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 digest does not fit 32 bytes", e);
    }
    long carry = 0;
    for (int word = 0; word < 4; word++) {
      long x = (long) BIG_ENDIAN.get(digest, (3 - word) * 8);
      long partial = sum[word] + x;
      long carried = partial + carry;
      carry =
          (Long.compareUnsigned(partial, x) < 0 || Long.compareUnsigned(carried, partial) < 0)
              ? 1
              : 0;
      sum[word] = carried;
    }
    count++;
  }

  public long count() {
    return count;
  }

  /** {@code rows:<count>:<hex sum>}. */
  public String value() {
    byte[] fixed = new byte[32];
    for (int word = 0; word < 4; word++) {
      BIG_ENDIAN.set(fixed, (3 - word) * 8, sum[word]);
    }
    return "rows:" + count + ":" + HexFormat.of().formatHex(fixed);
  }
}
