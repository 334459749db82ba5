package dev.idem.iceberg;

import dev.idem.pipeline.DeleteRule;
import dev.idem.window.Window;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.types.Comparators;

/**
 * ADR 0003 and 0007 in Java, for a destination with no SQL engine: how versions compare, and
 * whether a version is newer than the one a target row or a tombstone holds (which of a window's
 * rows of one key it keeps is {@link KeyFold}'s). The same rules as {@code StrategySql.newer} and
 * {@code DedupSql.order} of the JDBC destinations.
 */
final class Versions {
  private Versions() {}

  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  /**
   * A staged value as the table will hold it: a timestamp to the microsecond, which is Iceberg's
   * precision (its Parquet writer keeps the whole microseconds from the epoch, counted toward
   * zero), while idem's readers type up to nine fractional digits. A window's rows are folded,
   * looked up and compared as stored ({@link KeyFold} reads every value through this), so a value
   * with digits past the microsecond is one key with the stored one and loads again unchanged;
   * other values are returned as they are.
   */
  static Object stored(Object v) {
    if (v instanceof LocalDateTime t && subMicro(t)) {
      return EPOCH.plus(ChronoUnit.MICROS.between(EPOCH, t), ChronoUnit.MICROS);
    }
    if (v instanceof Instant t && subMicro(t)) {
      // as a date-time: Instant.until counts nanoseconds, which overflow before 1677 and after 2262
      return ((LocalDateTime) stored(LocalDateTime.ofInstant(t, ZoneOffset.UTC)))
          .toInstant(ZoneOffset.UTC);
    }
    if (v instanceof OffsetDateTime t && subMicro(t)) {
      return OffsetDateTime.ofInstant((Instant) stored(t.toInstant()), t.getOffset());
    }
    return v;
  }

  /** Whether {@code t} has digits past the microsecond. */
  private static boolean subMicro(TemporalAccessor t) {
    return t.get(ChronoField.NANO_OF_SECOND) % 1000 != 0;
  }

  /** NULL least; values of one column are of one Java type. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return ((Comparable) a).compareTo(b);
  }

  /**
   * Compares values as Iceberg's column statistics order them: strings by code point (Java's order
   * differs for characters above U+FFFF), the rest as {@link #compare}; NULL least.
   */
  static int compareAsIceberg(Object a, Object b) {
    return a instanceof CharSequence s && b instanceof CharSequence t
        ? Comparators.charSequences().compare(s, t)
        : compare(a, b);
  }

  /** Compares keys column by column as {@link #compareAsIceberg} (the order slices are cut by). */
  static int compareKeysAsIceberg(List<Object> a, List<Object> b) {
    return columnByColumn(a, b, Versions::compareAsIceberg);
  }

  /** Compares value lists column by column, the first that differs deciding, NULL least. */
  static int compare(List<Object> a, List<Object> b) {
    return columnByColumn(a, b, Versions::compare);
  }

  private static int columnByColumn(List<Object> a, List<Object> b, Comparator<Object> each) {
    for (int i = 0; i < a.size(); i++) {
      int c = each.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Whether version {@code r} of window order {@code rOrder} may replace version {@code t} of
   * {@code tOrder}: greater, or equal and not from a later window (a window may rewrite its own).
   */
  static boolean newer(List<Object> r, String rOrder, List<Object> t, String tOrder) {
    int c = compare(r, t);
    return c > 0 || (c == 0 && Window.compareOrderKeys(rOrder, tOrder) <= 0);
  }

  /** Whether a staged value makes its record a delete under {@code rule}. */
  static boolean isDelete(DeleteRule rule, Object value) {
    return switch (rule.kind()) {
      case BOOLEAN -> Boolean.TRUE.equals(value);
      case NOT_NULL -> value != null;
      case EQUALS -> value != null && rule.value().equals(String.valueOf(value));
    };
  }

  /** The text of a key's values, for maps: unambiguous (length-prefixed), NULL distinct. */
  static String keyText(List<Object> key) {
    StringBuilder b = new StringBuilder();
    for (Object v : key) {
      String s = v == null ? null : v.toString();
      b.append(s == null ? "-1" : Integer.toString(s.length())).append(':');
      if (s != null) {
        b.append(s);
      }
    }
    return b.toString();
  }

  /**
   * One row of a window with what decides whether it is kept: its stored values (the row as
   * staged), whether it is a delete, and where among them its key, its version (the {@code
   * order_by} columns) and its other columns are ({@link KeyFold}'s, shared by a window's rows: the
   * lists are made when asked for, so a window's rows are not held twice). Candidates are never
   * compared with equals.
   */
  @SuppressWarnings("ArrayRecordComponent")
  record Candidate(
      Object[] stored, boolean delete, int[] keyPlaces, int[] orderPlaces, int[] otherPlaces)
      implements java.io.Serializable {
    List<Object> key() {
      return KeyFold.pick(stored, keyPlaces);
    }

    List<Object> version() {
      return KeyFold.pick(stored, orderPlaces);
    }

    List<Object> others() {
      return KeyFold.pick(stored, otherPlaces);
    }
  }
}
