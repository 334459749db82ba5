package dev.idem.jdbc.dialect.postgres;

import static dev.idem.jdbc.SqlName.quote;
import static dev.idem.jdbc.write.StrategySql.WINDOW_COLUMN;

import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.TableName;
import dev.idem.jdbc.write.StrategySql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgreSQL's one-statement merge and replace_window with a key: {@code DISTINCT ON}, {@code
 * LATERAL} and data-modifying {@code WITH} let one statement read the window's rows once and write
 * only the rows that change, by the same rules as the step-by-step {@link StrategySql} (whose parts
 * it renders from). Every {@code ?} is the window id, except the first of a versioned merge (merge
 * with order_by), which is the window's order key ({@link StrategySql#sourceBinds}).
 */
final class OneStatementSql {
  /**
   * In a one-statement write: the window that held a row's key before, and what is done with the
   * row.
   */
  private static final String OLD_WINDOW = quote("_idem_old_window");

  private static final String ACTION = quote("_idem_action");

  private final StrategySql sql;
  private final TableName table;
  private final List<String> columns;
  private final List<String> keys;
  private final List<String> nonKeys;

  OneStatementSql(StrategySql sql) {
    this.sql = sql;
    this.table = sql.table();
    this.columns = sql.columns();
    this.keys = sql.keys();
    this.nonKeys = sql.nonKeys();
  }

  /**
   * Merge in one statement, for databases with {@code DISTINCT ON}, {@code LATERAL} and
   * data-modifying {@code WITH} (PostgreSQL). It reads the window's rows from {@code source} once
   * (see {@link #probe}), decides per row what to do ({@code c}: insert a new key, update a newer
   * and different version, or nothing), then updates and inserts only those rows. Unchanged rows
   * are never written. Not for a merge with deletes (their tombstones are kept by the step-by-step
   * merge, see {@link PostgresWrites#strategy}). The update repeats the version check against the
   * row they write, so a concurrent change is never overwritten by an older version; a key inserted
   * concurrently makes the INSERT fail with a unique violation, which is retried.
   *
   * <p>Returns one row: rows after dedup, rows with a NULL key part (not written), inserted,
   * updated, deleted (0), and an array of the other windows whose rows this one took over. Binds:
   * {@link StrategySql#sourceBinds} (with order_by, the window order key first, then the window id
   * for every other {@code ?}).
   */
  String mergeInOneStatement(String source) {
    // only for a merge without deletes: with deletes PostgresWrites runs the step-by-step merge,
    // which keeps the tombstones (ADR 0007)
    String action =
        "WHEN o."
            + quote(WINDOW_COLUMN)
            + " IS NULL THEN 'i' WHEN "
            + newer("r", "o")
            + " AND "
            + changed("r", "o")
            + " THEN 'u'";
    StringBuilder sql = probe(source, action);
    sql.append("u AS (UPDATE ")
        .append(table.sql())
        .append(" AS t SET ")
        .append(setFrom("c"))
        .append(" FROM c WHERE c.")
        .append(ACTION)
        .append(" = 'u' AND ")
        .append(keyMatch("t", "c"))
        .append(" AND ")
        .append(newer("c", "t"))
        .append(" AND ")
        .append(changed("c", "t"))
        .append(" RETURNING c.")
        .append(OLD_WINDOW)
        .append("), ")
        .append(insertActionI())
        .append(" SELECT ")
        .append(counted())
        .append(", (SELECT count(*) FROM i), (SELECT count(*) FROM u), ")
        .append("0")
        .append(", ARRAY(SELECT DISTINCT w FROM (SELECT ")
        .append(OLD_WINDOW)
        .append(" FROM u")
        .append(") AS x (w) WHERE w <> ? ORDER BY w)");
    return sql.toString();
  }

  /**
   * Replace_window with a key in one statement (PostgreSQL), the same difference as {@link
   * StrategySql#deleteMissing}, {@link StrategySql#replaceUpdate} and {@link
   * StrategySql#insertNew}: deletes the window's rows whose key is gone, updates the rows that
   * differ, inserts the new keys; a key another window holds is not written and is reported.
   * Returns one row: rows after dedup, rows with a NULL key part, inserted, updated, deleted
   * (replaced), then for the first key held by another window (by key order, or NULLs) that window
   * and the key's values as text. Binds: window (every {@code ?}).
   */
  String replaceWindowInOneStatement(String source) {
    String action =
        "WHEN o."
            + quote(WINDOW_COLUMN)
            + " IS NULL THEN 'i' WHEN o."
            + quote(WINDOW_COLUMN)
            + " <> ? THEN 'x'"
            + " WHEN "
            + distinct("r", "o")
            + " THEN 'u'";
    String first =
        " FROM c WHERE c." + ACTION + " = 'x' ORDER BY " + SqlName.list("c", keys) + " LIMIT 1)";
    return probe(source, action)
        .append("g AS (DELETE FROM ")
        .append(table.sql())
        .append(" AS t WHERE t.")
        .append(quote(WINDOW_COLUMN))
        .append(" = ?")
        .append(" AND NOT EXISTS (SELECT 1 FROM r WHERE ")
        .append(keyMatch("t", "r"))
        .append(") RETURNING 1), ")
        .append("u AS (UPDATE ")
        .append(table.sql())
        .append(" AS t SET ")
        .append(setFrom("c"))
        .append(" FROM c WHERE c.")
        .append(ACTION)
        .append(" = 'u' AND ")
        .append(keyMatch("t", "c"))
        .append(" AND t.")
        .append(quote(WINDOW_COLUMN))
        .append(" = ? AND ")
        .append(distinct("c", "t"))
        .append(" RETURNING 1), ")
        .append(insertActionI())
        .append(" SELECT ")
        .append(counted())
        .append(", (SELECT count(*) FROM i), (SELECT count(*) FROM u), (SELECT count(*) FROM g)")
        .append(", (SELECT c.")
        .append(OLD_WINDOW)
        .append(first)
        .append(", (SELECT ARRAY[")
        .append(
            keys.stream()
                .map(k -> "CAST(c." + quote(k) + " AS text)")
                .collect(Collectors.joining(", ")))
        .append("]")
        .append(first)
        .toString();
  }

  /**
   * The start of a one-statement write: {@code r}, the window's rows from {@code source}
   * deduplicated by the same rule as {@link StrategySql#dedup}; {@code c}, the rows that need
   * writing, each with the window that holds its key ({@code _idem_old_window}) and what to do
   * ({@code _idem_action}, from the CASE branches {@code whenThen} over r and the target's row o; a
   * NULL key part is never written). Each key is looked up through the target's unique index:
   * {@code LIMIT 1} keeps the lookup a per-row index probe whatever the table's size, so the cost
   * follows the window, not the table.
   */
  private StringBuilder probe(String source, String whenThen) {
    StringBuilder sql =
        new StringBuilder("WITH r AS (SELECT DISTINCT ON (")
            .append(SqlName.list(keys))
            .append(") ")
            .append(SqlName.list(columns))
            .append(this.sql.windowOrderValue())
            .append(" FROM ")
            .append(quote(source))
            .append(" ORDER BY ")
            .append(SqlName.list(keys));
    for (String o : dedupOrder()) {
      sql.append(", ").append(o);
    }
    return sql.append("), c AS (SELECT * FROM (SELECT ")
        .append(SqlName.list("r", columns))
        .append(this.sql.versioned() ? ", r." + quote(StrategySql.WINDOW_ORDER_COLUMN) : "")
        .append(", o.")
        .append(quote(WINDOW_COLUMN))
        .append(" AS ")
        .append(OLD_WINDOW)
        .append(", CASE WHEN ")
        .append(
            keys.stream()
                .map(k -> "r." + quote(k) + " IS NULL")
                .collect(Collectors.joining(" OR ")))
        .append(" THEN NULL ")
        .append(whenThen)
        .append(" END AS ")
        .append(ACTION)
        .append(" FROM r LEFT JOIN LATERAL (SELECT * FROM ")
        .append(table.sql())
        .append(" AS t WHERE ")
        .append(keyMatch("t", "r"))
        .append(" LIMIT 1) AS o ON TRUE) AS q WHERE ")
        .append(ACTION)
        .append(" IS NOT NULL), ");
  }

  private String setFrom(String alias) {
    String set =
        nonKeys.stream()
            .map(c -> quote(c) + " = " + alias + "." + quote(c))
            .collect(Collectors.joining(", "));
    return (set.isEmpty() ? "" : set + ", ")
        + quote(WINDOW_COLUMN)
        + " = ?"
        + sql.windowOrderFrom(alias);
  }

  private String insertActionI() {
    return "i AS (INSERT INTO "
        + table.sql()
        + " ("
        + SqlName.list(columns)
        + ", "
        + quote(WINDOW_COLUMN)
        + sql.windowOrderColumn()
        + ")"
        + " SELECT "
        + SqlName.list("c", columns)
        + ", ?"
        + (sql.versioned() ? ", c." + quote(StrategySql.WINDOW_ORDER_COLUMN) : "")
        + " FROM c WHERE c."
        + ACTION
        + " = 'i' RETURNING 1)";
  }

  /** Rows after dedup, and those with a NULL key part. */
  private String counted() {
    return "(SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE "
        + keys.stream().map(k -> quote(k) + " IS NULL").collect(Collectors.joining(" OR "))
        + ")";
  }

  /** {@code r} differs from {@code t} in a non-key value. */
  private String distinct(String r, String t) {
    return nonKeys.isEmpty()
        ? "FALSE"
        : "("
            + nonKeys.stream()
                .map(c -> r + "." + quote(c) + " IS DISTINCT FROM " + t + "." + quote(c))
                .collect(Collectors.joining(" OR "))
            + ")";
  }

  private List<String> dedupOrder() {
    return sql.dedup().order();
  }

  private String keyMatch(String t, String r) {
    return sql.keyMatch(t, r);
  }

  private String newer(String r, String t) {
    return sql.newer(r, t);
  }

  private String changed(String r, String t) {
    return sql.changed(r, t);
  }
}
