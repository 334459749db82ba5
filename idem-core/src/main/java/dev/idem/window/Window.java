package dev.idem.window;

import dev.idem.ConfigException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The unit of work and of idempotency: a slice of input with a stable id. Time windows carry
 * closed-open bounds {@code [start, end)} as UTC instants; other kinds have no bounds.
 */
public record Window(String id, WindowKind kind, Instant start, Instant end)
    implements Comparable<Window> {
  public Window {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
  }

  public static Window full() {
    return new Window("full", WindowKind.FULL, null, null);
  }

  public static Window batch(String id) {
    return new Window(id, WindowKind.BATCH, null, null);
  }

  public boolean bounded() {
    return start != null;
  }

  /**
   * This window's place in window order, as text that sorts by code point (and so by UTF-8 bytes,
   * as a database compares it under a binary collation): day and hour windows by time (their ISO
   * ids); stream windows by topic, then partition as a number, then start offset as a number; file
   * windows by their relative path; full and batch windows by id. On equal {@code order_by} values
   * across windows, the earlier window in this order wins (ADR 0003).
   */
  public String orderKey() {
    return orderKey(kind, id);
  }

  /**
   * The order key of the window of this kind with this id (see {@link #orderKey()}); an id that is
   * not of the kind's form (a row written under another window kind) orders by itself.
   */
  public static String orderKey(WindowKind kind, String id) {
    if (kind == WindowKind.OFFSETS) {
      try {
        WindowSpec.OffsetsId o = WindowSpec.OffsetsId.parse(id);
        // a space sorts before every character a Kafka topic name may hold, so a topic sorts
        // before every longer topic it starts
        return String.format(Locale.ROOT, "%s %010d %019d", o.topic(), o.partition(), o.start());
      } catch (ConfigException e) {
        return id;
      }
    }
    return id;
  }

  /**
   * Windows order by {@link #orderKey()}, compared by code point: for day and hour windows that is
   * time order.
   */
  @Override
  public int compareTo(Window o) {
    int byKey = compareOrderKeys(orderKey(), o.orderKey());
    return byKey != 0 ? byKey : id.compareTo(o.id);
  }

  /**
   * Compares two order keys by code point (not by UTF-16 unit, as {@link String#compareTo} does).
   */
  public static int compareOrderKeys(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  @Override
  public String toString() {
    return id;
  }
}
