package dev.idem.key;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * An order-insensitive fingerprint of a multiset of records: the sum modulo 2^256 of each
 * record's SHA-256, with the count. Reordering input leaves it unchanged; a duplicated, missing
 * or altered record changes it.
 */
public final class Fingerprint {
  private static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);
  private final MessageDigest md = KeyEncoding.digest();
  private BigInteger sum = BigInteger.ZERO;
  private long count;

  public void add(Object[] values) {
    KeyEncoding.update(md, values);
    sum = sum.add(new BigInteger(1, md.digest()));
    count++;
  }

  public long count() {
    return count;
  }

  /** {@code rows:<count>:<hex sum>}. */
  public String value() {
    byte[] raw = sum.mod(MOD).toByteArray();
    byte[] fixed = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
    return "rows:" + count + ":" + HexFormat.of().formatHex(fixed);
  }
}
