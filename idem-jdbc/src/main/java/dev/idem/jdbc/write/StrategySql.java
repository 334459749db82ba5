package dev.idem.jdbc.write;

import static dev.idem.jdbc.SqlName.quote;

import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.TableName;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Renders the set-based statements that apply one window to a target, for every strategy. The
 * step-by-step SQL is the same on every database idem supports (it uses UPDATE ... FROM, IS
 * DISTINCT FROM and window functions); a dialect that writes a strategy its own way (PostgreSQL's
 * one-statement merge) renders it from the same parts ({@link #keyMatch}, {@link #newer}, {@link
 * #changed}, {@link DedupSql#order}), so the rules stay the same. Identifiers are quoted, values
 * (the window id) are bound as {@code ?}.
 *
 * <p>Version order across windows (merge with {@code order_by}): an incoming row replaces the
 * target's row when its version is greater: its {@code order_by} values compared column by column
 * in declared order, the first that differs deciding, NULL least ({@link #newer}); on equal values,
 * when its window is not later in window order than the window that wrote the target's row. Window
 * order is the window order key ({@code Window.orderKey}), stored per row in {@link
 * #WINDOW_ORDER_COLUMN} and compared bytewise, never the window id in a collation. That is a total
 * order on (version, -window order), so the final table does not depend on the order in which
 * windows ran. Within a window, duplicates by key keep the greatest version; ties are broken by
 * comparing the other columns in declared order, greatest first (NULLs last), so arrival order
 * never matters.
 *
 * <p>Binds: every {@code ?} is the window id, except in a statement that reads the window's rows
 * from their source ({@link DedupSql#statement}; PostgreSQL's one-statement merge): there the first
 * {@code ?} is the window's order key when the target is versioned ({@link #sourceBinds}).
 */
public final class StrategySql {
  /** Lineage column: the window that last wrote a row. */
  public static final String WINDOW_COLUMN = "_idem_window";

  /**
   * Lineage column of a versioned target (merge with order_by), and of the window's rows in {@code
   * idem_rows}: the window order key ({@code Window.orderKey}) of the window that wrote a row,
   * compared bytewise for ties ({@link #newer}).
   */
  public static final String WINDOW_ORDER_COLUMN = "_idem_window_order";

  /** The transform's output, materialized for the window. */
  public static final String TRANSFORMED = "idem_transformed";

  /** The window's rows after in-window dedup: what every strategy statement reads. */
  public static final String ROWS = "idem_rows";

  /**
   * Column of {@link #ROWS} (merge with deletes): true when the row deletes its key, by the
   * target's {@link DeleteRule}. The rule's column itself need not be stored.
   */
  public static final String DELETED = "_idem_deleted";

  /** A one-row relation holding the value of an {@code equals} delete rule, bound, not pasted. */
  static final String DELETE_VALUE = "idem_delete_value";

  private final TableName table;
  private final List<String> columns;
  private final List<String> keys;
  private final List<String> nonKeys;
  private final List<String> orderBy;
  private final boolean versioned;
  private final String windowOrder;
  private final DeleteRule deletes;
  private final TombstoneSql tombstones;
  private final DedupSql dedup;
  private final String conflictClause;

  /**
   * {@code conflictClause} gives, for the key's quoted column list, what ends the INSERT of new
   * keys (the dialect's, e.g. {@code ON CONFLICT ("id") DO NOTHING}, or nothing).
   */
  public StrategySql(TableName table, Target target, UnaryOperator<String> conflictClause) {
    this(table, target, conflictClause, null);
  }

  /**
   * For the statements that write a window: {@code windowOrder} is that window's order key ({@code
   * Window.orderKey}), bound where the window's rows are read ({@link #sourceBinds}).
   */
  public StrategySql(
      TableName table, Target target, UnaryOperator<String> conflictClause, String windowOrder) {
    this(table, target, conflictClause, windowOrder, null);
  }

  /**
   * As {@link #StrategySql(TableName, Target, UnaryOperator, String)}, for a window whose
   * transaction forgets the tombstones recorded before {@code tombstonesForgottenBefore} (the
   * retention's cutoff, or null): a delete of the window replaces such a tombstone whatever its
   * version ({@link TombstoneSql#raise}).
   */
  public StrategySql(
      TableName table,
      Target target,
      UnaryOperator<String> conflictClause,
      String windowOrder,
      Instant tombstonesForgottenBefore) {
    this.windowOrder = windowOrder;
    this.versioned = target.versioned();
    this.table = table;
    this.columns = target.storedColumns().names();
    this.keys = target.key() == null ? List.of() : target.key().targetColumns();
    this.conflictClause = keys.isEmpty() ? "" : conflictClause.apply(SqlName.list(keys));
    this.nonKeys = columns.stream().filter(c -> !keys.contains(c)).toList();
    this.orderBy = target.orderBy();
    this.deletes = target.deletes();
    // without order_by there are no versions: the last window run wins, deletes included, and a
    // tombstone would never be older than anything
    this.tombstones =
        deletes != null && !orderBy.isEmpty()
            ? new TombstoneSql(this, target, tombstonesForgottenBefore)
            : null;
    this.dedup = new DedupSql(this, orderBy);
  }

  /** The target table. */
  public TableName table() {
    return table;
  }

  /** The stored columns, in declared order. */
  public List<String> columns() {
    return columns;
  }

  /** The key's columns; empty without a key. */
  public List<String> keys() {
    return keys;
  }

  /** The stored columns that are not part of the key. */
  public List<String> nonKeys() {
    return nonKeys;
  }

  /**
   * Whether rows carry their window's order key ({@link #WINDOW_ORDER_COLUMN}): merge with
   * order_by.
   */
  public boolean versioned() {
    return versioned;
  }

  /**
   * The values for the {@code ?}s of {@code statement}, a statement that reads the window's rows
   * from their source ({@link DedupSql#statement}, PostgreSQL's one-statement merge): the window
   * order key first when the target is versioned, the window id for every other.
   */
  public List<String> sourceBinds(String statement, String window) {
    if (versioned && windowOrder == null) {
      throw new IllegalStateException("a versioned target's window is written with its order key");
    }
    List<String> binds = new ArrayList<>();
    for (int i = 0, n = Jdbc.placeholders(statement); i < n; i++) {
      binds.add(i == 0 && versioned ? windowOrder : window);
    }
    return binds;
  }

  /**
   * After the columns of the window's rows, when the target is versioned: the window's order key as
   * {@link #WINDOW_ORDER_COLUMN}. Binds: window order key.
   */
  public String windowOrderValue() {
    return versioned ? ", CAST(? AS VARCHAR) AS " + quote(WINDOW_ORDER_COLUMN) : "";
  }

  /** The lineage columns a versioned target's row is written with, after {@code _idem_window}. */
  public String windowOrderColumn() {
    return versioned ? ", " + quote(WINDOW_ORDER_COLUMN) : "";
  }

  /** Which records delete their key, or null. */
  public DeleteRule deletes() {
    return deletes;
  }

  /** The target's tombstones (merge with deletes and order_by), or null. */
  public TombstoneSql tombstones() {
    return tombstones;
  }

  /** Materializes the transform's output (the transform reads {@code staged}). */
  public String transform(String sql) {
    return "CREATE TEMP TABLE " + quote(TRANSFORMED) + " AS SELECT * FROM (" + sql + ") AS q";
  }

  /** The in-window dedup: the statements that make {@link #ROWS} from the window's rows. */
  public DedupSql dedup() {
    return dedup;
  }

  public String count(String relation) {
    return "SELECT count(*) FROM " + quote(relation);
  }

  /** Rows whose key has a NULL part. */
  public String nullKeys() {
    return "SELECT count(*) FROM "
        + quote(ROWS)
        + " WHERE "
        + keys.stream().map(k -> quote(k) + " IS NULL").collect(Collectors.joining(" OR "));
  }

  /**
   * Inserts rows whose key is not in the target yet (append; merge's insert half). Binds: window.
   */
  public String insertNew() {
    return "INSERT INTO "
        + table.sql()
        + " ("
        + SqlName.list(columns)
        + ", "
        + quote(WINDOW_COLUMN)
        + windowOrderColumn()
        + ")"
        + " SELECT "
        + SqlName.list("r", columns)
        + ", ?"
        + (versioned ? ", r." + quote(WINDOW_ORDER_COLUMN) : "")
        + " FROM "
        + quote(ROWS)
        + " AS r"
        + " WHERE NOT EXISTS (SELECT 1 FROM "
        + table.sql()
        + " AS t WHERE "
        + keyMatch()
        + ")"
        + upsertsOnly()
        + conflictClause;
  }

  /**
   * True when {@link #insertNew()} skips a key another runner inserted meanwhile (see {@link
   * #countNew()}).
   */
  public boolean insertSkipsConflicts() {
    return !conflictClause.isEmpty();
  }

  /**
   * How many rows {@link #insertNew()} should insert, to detect a concurrent runner's insert of the
   * same keys. Binds: none.
   */
  public String countNew() {
    return "SELECT count(*) FROM "
        + quote(ROWS)
        + " AS r"
        + " WHERE NOT EXISTS (SELECT 1 FROM "
        + table.sql()
        + " AS t WHERE "
        + keyMatch()
        + ")"
        + upsertsOnly();
  }

  /** With deletes: the row is not a delete and not older than its key's tombstone. Binds: none. */
  private String upsertsOnly() {
    if (deletes == null) {
      return "";
    }
    return " AND NOT r."
        + quote(DELETED)
        + (tombstones == null ? "" : " AND " + tombstones.notBuried("r"));
  }

  /**
   * One pass over the window's rows in {@code source} (staged or transformed), before any dedup:
   * columns: rows, distinct keys, rows with a NULL key part. Binds: none.
   */
  public String keyCounts(String source) {
    String keyList = SqlName.list(keys);
    return "SELECT count(*), (SELECT count(*) FROM (SELECT "
        + keyList
        + " FROM "
        + quote(source)
        + " GROUP BY "
        + keyList
        + ") AS g), coalesce(sum(CASE WHEN "
        + keys.stream().map(k -> quote(k) + " IS NULL").collect(Collectors.joining(" OR "))
        + " THEN 1 ELSE 0 END), 0) FROM "
        + quote(source);
  }

  /**
   * Whether the target holds a row with one of the keys of {@code source}, whichever window wrote
   * it: 1 or 0. Binds: none.
   */
  public String holdsAnyKey(String source) {
    return "SELECT count(*) FROM (SELECT 1 FROM "
        + quote(source)
        + " AS r WHERE EXISTS (SELECT 1 FROM "
        + table.sql()
        + " AS t WHERE "
        + keyMatch()
        + ") LIMIT 1) AS q";
  }

  /**
   * Inserts every row of {@code source} as it is, stamped with the window (and its order key when
   * versioned): a merge's whole effect when the window's keys are unique, none NULL, and none in
   * the target (see {@link #insertAllFromBinds}).
   */
  public String insertAllFrom(String source) {
    return "INSERT INTO "
        + table.sql()
        + " ("
        + SqlName.list(columns)
        + ", "
        + quote(WINDOW_COLUMN)
        + windowOrderColumn()
        + ") SELECT "
        + SqlName.list(columns)
        + ", ?"
        + (versioned ? ", CAST(? AS VARCHAR)" : "")
        + " FROM "
        + quote(source);
  }

  /** The values of {@link #insertAllFrom}'s {@code ?}s: the window, then its order key if any. */
  public List<String> insertAllFromBinds(String window) {
    if (!versioned) {
      return List.of(window);
    }
    if (windowOrder == null) {
      throw new IllegalStateException("a versioned target's window is written with its order key");
    }
    return List.of(window, windowOrder);
  }

  /** Inserts every row (replace_window, replace_table). Binds: window. */
  public String insertAll() {
    return "INSERT INTO "
        + table.sql()
        + " ("
        + SqlName.list(columns)
        + ", "
        + quote(WINDOW_COLUMN)
        + ")"
        + " SELECT "
        + SqlName.list(columns)
        + ", ? FROM "
        + quote(ROWS);
  }

  /**
   * Updates rows whose incoming version is newer and differs (merge). Rows equal to the target's
   * are not touched, so a re-run rewrites nothing. Binds: window, window (with order_by).
   */
  public String mergeUpdate() {
    String set =
        nonKeys.stream().map(c -> quote(c) + " = r." + quote(c)).collect(Collectors.joining(", "));
    return "UPDATE "
        + table.sql()
        + " AS t SET "
        + (set.isEmpty() ? "" : set + ", ")
        + quote(WINDOW_COLUMN)
        + " = ?"
        + windowOrderFrom("r")
        + " FROM "
        + quote(ROWS)
        + " AS r WHERE "
        + keyMatch()
        + " AND "
        + newer()
        + " AND "
        + changed()
        + upsertsOnly();
  }

  /**
   * Deletes target rows whose key arrives flagged as deleted with a newer version (merge). Binds:
   * none.
   */
  public String mergeDelete() {
    return "DELETE FROM "
        + table.sql()
        + " AS t WHERE EXISTS (SELECT 1 FROM "
        + quote(ROWS)
        + " AS r WHERE "
        + keyMatch()
        + " AND r."
        + quote(DELETED)
        + " AND "
        + newer()
        + ")";
  }

  /**
   * Other windows whose rows share a key with this window's rows (their row counts may change).
   * Binds: window.
   */
  public String otherWindowsSharingKeys() {
    return "SELECT DISTINCT t."
        + quote(WINDOW_COLUMN)
        + " FROM "
        + table.sql()
        + " AS t JOIN "
        + quote(ROWS)
        + " AS r ON "
        + keyMatch()
        + " WHERE t."
        + quote(WINDOW_COLUMN)
        + " <> ?";
  }

  /**
   * Keys of this window that another window already wrote (replace_window needs keys unique to a
   * window); the caller reads the first. No LIMIT: with one, PostgreSQL's planner bets on finding a
   * match early and scans the whole target when there is none, the usual case. Binds: window.
   */
  public String keyInOtherWindow() {
    return "SELECT t."
        + quote(WINDOW_COLUMN)
        + ", "
        + SqlName.list("r", keys)
        + " FROM "
        + quote(ROWS)
        + " AS r JOIN "
        + table.sql()
        + " AS t ON "
        + keyMatch()
        + " WHERE t."
        + quote(WINDOW_COLUMN)
        + " <> ?";
  }

  /**
   * Replace with a key, applied as a difference so that no key is deleted and inserted again in one
   * transaction (DuckDB's unique indexes refuse that on a reopened file, and it would rewrite
   * unchanged rows): delete the rows whose key is gone, update the changed ones, insert the new.
   * Deletes target rows (of the window's slice, or of the whole table) whose key is not in the new
   * rows. Binds: window.
   */
  public String deleteMissing(boolean wholeTable) {
    return "DELETE FROM "
        + table.sql()
        + " AS t WHERE "
        + (wholeTable ? "" : "t." + quote(WINDOW_COLUMN) + " = ? AND ")
        + "NOT EXISTS (SELECT 1 FROM "
        + quote(ROWS)
        + " AS r WHERE "
        + keyMatch()
        + ")";
  }

  /**
   * Updates target rows whose key arrives with other values, or that another window wrote
   * (replace). Binds: window.
   */
  public String replaceUpdate() {
    String set =
        nonKeys.stream().map(c -> quote(c) + " = r." + quote(c)).collect(Collectors.joining(", "));
    List<String> diffs = new ArrayList<>();
    for (String c : nonKeys) {
      diffs.add("r." + quote(c) + " IS DISTINCT FROM t." + quote(c));
    }
    diffs.add("? <> t." + quote(WINDOW_COLUMN));
    return "UPDATE "
        + table.sql()
        + " AS t SET "
        + (set.isEmpty() ? "" : set + ", ")
        + quote(WINDOW_COLUMN)
        + " = ?"
        + " FROM "
        + quote(ROWS)
        + " AS r WHERE "
        + keyMatch()
        + " AND ("
        + String.join(" OR ", diffs)
        + ")";
  }

  /** Deletes the window's slice. Binds: window. */
  public String deleteWindow() {
    return "DELETE FROM " + table.sql() + " WHERE " + quote(WINDOW_COLUMN) + " = ?";
  }

  public String deleteAll() {
    return "DELETE FROM " + table.sql();
  }

  /** Rows the target holds for a window. Binds: window. */
  public String rowsOfWindow() {
    return "SELECT count(*) FROM " + table.sql() + " WHERE " + quote(WINDOW_COLUMN) + " = ?";
  }

  /**
   * Rows per lineage value, for the reconciliation of every window at once (one scan of the
   * target): columns {@code "_idem_w"} (the window) and {@code "_idem_n"} (its rows). Binds: none.
   */
  public String rowsPerWindow() {
    return "SELECT "
        + quote(WINDOW_COLUMN)
        + " AS "
        + quote("_idem_w")
        + ", count(*) AS "
        + quote("_idem_n")
        + " FROM "
        + table.sql()
        + " GROUP BY "
        + quote(WINDOW_COLUMN);
  }

  /**
   * Keys held by more than one row, whoever wrote them: one row for the first such key in key order
   * (by value, not by the text the key is shown as), or none. Columns: how many keys, how many rows
   * beyond one per key, the first key's rows, the least and greatest window among them, then its
   * key values as text. Binds: none.
   */
  public String duplicateKeys() {
    String n = quote("_idem_n");
    String first = quote("_idem_first");
    String last = quote("_idem_last");
    return "SELECT count(*) OVER (), CAST(sum("
        + n
        + ") OVER () - count(*) OVER () AS BIGINT), "
        + n
        + ", "
        + first
        + ", "
        + last
        + ", "
        + keys.stream()
            .map(k -> "CAST(d." + quote(k) + " AS VARCHAR)")
            .collect(Collectors.joining(", "))
        + " FROM (SELECT "
        + SqlName.list(keys)
        + ", count(*) AS "
        + n
        + ", min("
        + quote(WINDOW_COLUMN)
        + ") AS "
        + first
        + ", max("
        + quote(WINDOW_COLUMN)
        + ") AS "
        + last
        + " FROM "
        + table.sql()
        + " GROUP BY "
        + SqlName.list(keys)
        + " HAVING count(*) > 1) AS d ORDER BY "
        + SqlName.list("d", keys)
        + " LIMIT 1";
  }

  private String keyMatch() {
    return keyMatch("t", "r");
  }

  /** The key columns of {@code t} equal those of {@code r}. */
  public String keyMatch(String t, String r) {
    return keys.stream()
        .map(k -> t + "." + quote(k) + " = " + r + "." + quote(k))
        .collect(Collectors.joining(" AND "));
  }

  private String newer() {
    return newer("r", "t");
  }

  /**
   * The row {@code r} is a newer version than the row {@code t} (the one definition, for target
   * rows and any relation holding versions): its order_by values compared column by column in
   * declared order, the first that differs deciding, NULL the least value; when all are equal, the
   * window that wrote {@code r} is not later in window order than the one that wrote {@code t}
   * ({@code r._idem_window_order <= t._idem_window_order}, so a re-run of a window may rewrite its
   * own row). Both relations must carry {@link #WINDOW_ORDER_COLUMN} (the window's rows do, see
   * {@link #dedup}). Without order_by: TRUE. Binds: none.
   */
  public String newer(String r, String t) {
    if (orderBy.isEmpty()) {
      return "TRUE";
    }
    String w = quote(WINDOW_ORDER_COLUMN);
    String then = r + "." + w + " <= " + t + "." + w;
    for (int i = orderBy.size() - 1; i >= 0; i--) {
      String o = quote(orderBy.get(i));
      String ro = r + "." + o;
      String to = t + "." + o;
      then =
          "("
              + ro
              + " > "
              + to
              + " OR ("
              + to
              + " IS NULL AND "
              + ro
              + " IS NOT NULL) OR ("
              + ro
              + " IS NOT DISTINCT FROM "
              + to
              + " AND "
              + then
              + "))";
    }
    return then;
  }

  /** {@code , "_idem_window_order" = r."_idem_window_order"} for a versioned target. */
  public String windowOrderFrom(String r) {
    return versioned
        ? ", " + quote(WINDOW_ORDER_COLUMN) + " = " + r + "." + quote(WINDOW_ORDER_COLUMN)
        : "";
  }

  private String changed() {
    return changed("r", "t");
  }

  /**
   * {@code r} differs from {@code t}: in a value, or (with order_by) in the window that owns it.
   * Binds: window (with order_by).
   */
  public String changed(String r, String t) {
    List<String> diffs = new ArrayList<>();
    for (String c : nonKeys) {
      diffs.add(r + "." + quote(c) + " IS DISTINCT FROM " + t + "." + quote(c));
    }
    if (!orderBy.isEmpty()) {
      diffs.add("? <> " + t + "." + quote(WINDOW_COLUMN));
    }
    return diffs.isEmpty() ? "FALSE" : "(" + String.join(" OR ", diffs) + ")";
  }
}
