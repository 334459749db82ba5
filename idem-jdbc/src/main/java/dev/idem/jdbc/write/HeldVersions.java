package dev.idem.jdbc.write;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A window's rows folded to one per key in memory, by the rule of ADR 0003 ({@link
 * DedupSql#order}), where Java can decide it exactly as the database would: identical rows are one;
 * otherwise the greater {@code order_by} version wins (NULL least), compared only for types whose
 * Java order is the database's (integers, decimals, dates, timestamps, booleans). Anything else (a
 * tie on the version, a text or floating-point version, whose order is the database's collation or
 * IEEE rules) is left undecided: {@link #add} answers false and the caller hands the window to the
 * database's own dedup. A key part that is NULL is undecided too (the staged path refuses it).
 *
 * <p>Keys are compared by Java equality. Two keys Java holds distinct but the database holds equal
 * (decimals of another scale, -0.0 and 0.0, an ICU collation) both stay held, and their write then
 * meets the key's unique index: the caller falls back on that violation too.
 */
public final class HeldVersions {
  private final int[] key;
  private final int[] orderBy;
  private final Map<Object, Object[]> kept = new HashMap<>();
  private final List<Object[]> arrived = new ArrayList<>();

  /**
   * Rows laid out as {@code columns}, keyed by {@code keys}, versioned by {@code orderBy} (empty:
   * none).
   */
  public HeldVersions(List<String> columns, List<String> keys, List<String> orderBy) {
    this.key = positions(columns, keys);
    this.orderBy = positions(columns, orderBy);
  }

  private static int[] positions(List<String> columns, List<String> names) {
    int[] at = new int[names.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = columns.indexOf(names.get(i));
      if (at[i] < 0) {
        throw new IllegalArgumentException("column " + names.get(i) + " is not in " + columns);
      }
    }
    return at;
  }

  /**
   * Holds {@code row}, folding it with the row of the same key held before; false (and nothing
   * held) when which of the two wins is not decidable here.
   */
  public boolean add(Object[] row) {
    Object k = keyOf(row);
    if (k == null) {
      return false;
    }
    Object[] before = kept.get(k);
    if (before != null) {
      int newer = newer(row, before);
      if (newer == 0) {
        return false;
      }
      if (newer > 0) {
        kept.put(k, row);
      }
    } else {
      kept.put(k, row);
    }
    arrived.add(row);
    return true;
  }

  /** Every row held, in arrival order (what the database's own dedup gets on a fallback). */
  public List<Object[]> arrived() {
    return arrived;
  }

  /** One row per key: the version ADR 0003 keeps. */
  public Iterable<Object[]> kept() {
    return kept.values();
  }

  /** How many keys are held. */
  public int keys() {
    return kept.size();
  }

  /** The key's values (one value or a list), or null when a part is NULL. */
  private Object keyOf(Object[] row) {
    if (key.length == 1) {
      return row[key[0]];
    }
    Object[] parts = new Object[key.length];
    for (int i = 0; i < key.length; i++) {
      if (row[key[i]] == null) {
        return null;
      }
      parts[i] = row[key[i]];
    }
    return Arrays.asList(parts);
  }

  /**
   * 1 if {@code r} is the version to keep over {@code held}, -1 if {@code held} is (also when the
   * two are the same row), 0 when that cannot be decided here.
   */
  private int newer(Object[] r, Object[] held) {
    for (int at : orderBy) {
      Object a = r[at];
      Object b = held[at];
      if (a == null || b == null) {
        if (a != b) {
          return a == null ? -1 : 1; // NULL is the least version
        }
        continue;
      }
      if (!ordersAsTheDatabase(a) || !ordersAsTheDatabase(b) || a.getClass() != b.getClass()) {
        if (!a.equals(b)) {
          return 0;
        }
        continue;
      }
      int c = compare(a, b);
      if (c != 0) {
        return c > 0 ? 1 : -1;
      }
      if (!a.equals(b)) {
        return 0; // equal as values, yet written differently (a decimal's scale)
      }
    }
    // equal versions: only an identical row is decided (identical rows are interchangeable);
    // otherwise the database orders the other columns by its own rules
    return Arrays.equals(r, held) ? -1 : 0;
  }

  /**
   * Whether the database orders {@code v} as Java does. A timestamp only to the microsecond: the
   * database keeps no more (PostgreSQL rounds the rest), so two values within one microsecond may
   * be one there and two here.
   */
  private static boolean ordersAsTheDatabase(Object v) {
    if (v instanceof LocalDateTime t) {
      return t.get(ChronoField.NANO_OF_SECOND) % 1000 == 0;
    }
    if (v instanceof Instant t) {
      return t.get(ChronoField.NANO_OF_SECOND) % 1000 == 0;
    }
    if (v instanceof OffsetDateTime t) {
      return t.get(ChronoField.NANO_OF_SECOND) % 1000 == 0;
    }
    return v instanceof Long
        || v instanceof Integer
        || v instanceof BigDecimal
        || v instanceof LocalDate
        || v instanceof Boolean;
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // same class, checked by the caller
  private static int compare(Object a, Object b) {
    if (a instanceof OffsetDateTime x) {
      return x.toInstant().compareTo(((OffsetDateTime) b).toInstant());
    }
    return ((Comparable) a).compareTo(Objects.requireNonNull(b));
  }
}
