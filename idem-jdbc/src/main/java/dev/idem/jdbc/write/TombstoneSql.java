package dev.idem.jdbc.write;

import static dev.idem.jdbc.SqlName.quote;

import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.TableName;
import dev.idem.pipeline.Target;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Renders the statements of a merge target's tombstones: one row per deleted key in {@code
 * _idem."<table>_<hash>_tombstones"}, holding the key, the deleting version (its {@code order_by}
 * values, its window and that window's order key) and when it was recorded (see ADR 0007). A delete
 * records its version when it is newer than the key's tombstone; an upsert is applied only when it
 * is newer than the key's tombstone, by {@link StrategySql#newer}, the one definition of "newer"
 * every statement shares. Every {@code ?} is the window id, except in {@link #stamp()} and {@link
 * #expire()}.
 */
public final class TombstoneSql {
  /** When a tombstone was recorded (the database's UTC time of the window's apply step). */
  public static final String RECORDED_AT = "_idem_recorded_at";

  private final StrategySql sql;
  private final Target target;
  private final TableName table;
  private final Instant forgottenBefore;

  TombstoneSql(StrategySql sql, Target target, Instant forgottenBefore) {
    this.sql = sql;
    this.target = target;
    this.table = table(sql.table());
    this.forgottenBefore = forgottenBefore;
  }

  /** Where the tombstones of {@code target} live: a table of the {@code _idem} schema. */
  public static TableName table(TableName target) {
    return new TableName("_idem", target.derived("tombstones"));
  }

  /** The tombstone table. */
  public TableName name() {
    return table;
  }

  /**
   * The DDL that creates the table if it does not exist: key, order_by, window, window order key
   * (of {@code bytewiseText}, the dialect's text type compared bytewise), recorded at.
   */
  public String create(Function<DataType, String> sqlType, String bytewiseText) {
    List<String> parts = new ArrayList<>();
    for (String c : versionColumns()) {
      Column col = target.storedColumns().column(target.storedColumns().indexOf(c));
      parts.add(
          quote(c) + " " + sqlType.apply(col.type()) + (sql.keys().contains(c) ? " NOT NULL" : ""));
    }
    parts.add(quote(StrategySql.WINDOW_COLUMN) + " VARCHAR NOT NULL");
    parts.add(quote(StrategySql.WINDOW_ORDER_COLUMN) + " " + bytewiseText);
    parts.add(quote(RECORDED_AT) + " TIMESTAMP");
    parts.add("PRIMARY KEY (" + SqlName.list(sql.keys()) + ")");
    return "CREATE TABLE IF NOT EXISTS " + table.sql() + " (" + String.join(", ", parts) + ")";
  }

  public String drop() {
    return "DROP TABLE IF EXISTS " + table.sql();
  }

  /** The key columns, then the order_by columns: what a tombstone holds besides its window. */
  private List<String> versionColumns() {
    List<String> cols = new ArrayList<>(sql.keys());
    cols.addAll(orderOnly());
    return cols;
  }

  /** The order_by columns that are not key columns. */
  private List<String> orderOnly() {
    return target.orderBy().stream().filter(c -> !sql.keys().contains(c)).toList();
  }

  /**
   * Moves a key's tombstone to this window's delete when the delete is a newer version and differs
   * (a re-run of the same delete rewrites nothing), or, whatever the delete's version, when the
   * tombstone was recorded before the cutoff this window's transaction forgets tombstones at: this
   * delete must not be hidden by a tombstone its own commit forgets, or nothing would remember it.
   * Binds: window.
   */
  public String raise() {
    StringBuilder set = new StringBuilder();
    List<String> differs = new ArrayList<>();
    for (String c : orderOnly()) {
      set.append(quote(c)).append(" = r.").append(quote(c)).append(", ");
      differs.add("r." + quote(c) + " IS DISTINCT FROM t." + quote(c));
    }
    differs.add("? <> t." + quote(StrategySql.WINDOW_COLUMN));
    return "UPDATE "
        + table.sql()
        + " AS t SET "
        + set
        + quote(StrategySql.WINDOW_COLUMN)
        + " = ?"
        + sql.windowOrderFrom("r")
        + ", "
        + quote(RECORDED_AT)
        + " = NULL FROM "
        + quote(StrategySql.ROWS)
        + " AS r WHERE "
        + sql.keyMatch("t", "r")
        + " AND r."
        + quote(StrategySql.DELETED)
        + " AND ("
        + String.join(" OR ", differs)
        + ") AND "
        + (forgottenBefore == null
            ? sql.newer("r", "t")
            : "("
                + sql.newer("r", "t")
                + " OR t."
                + quote(RECORDED_AT)
                + " < "
                + literal(forgottenBefore)
                + ")");
  }

  /**
   * A timestamp literal of {@code at} in UTC, to the microsecond (the recorded times' precision):
   * idem's own value, never input.
   */
  private static String literal(Instant at) {
    LocalDateTime utc = LocalDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    return "CAST('"
        + utc.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).replace('T', ' ')
        + "' AS TIMESTAMP)";
  }

  /** Records a tombstone for each deleted key that has none. Binds: window. */
  public String insert() {
    List<String> cols = versionColumns();
    return "INSERT INTO "
        + table.sql()
        + " ("
        + SqlName.list(cols)
        + ", "
        + quote(StrategySql.WINDOW_COLUMN)
        + sql.windowOrderColumn()
        + ") SELECT "
        + SqlName.list("r", cols)
        + ", ?"
        + sql.windowOrderColumn().replace(", ", ", r.")
        + " FROM "
        + quote(StrategySql.ROWS)
        + " AS r WHERE r."
        + quote(StrategySql.DELETED)
        + " AND NOT EXISTS (SELECT 1 FROM "
        + table.sql()
        + " AS t WHERE "
        + sql.keyMatch("t", "r")
        + ")";
  }

  /**
   * The incoming row {@code r} is not older than its key's tombstone: the condition every upsert of
   * a merge adds. {@code IS NOT TRUE}, so a NULL comparison (a NULL order value, the least) blocks.
   * Binds: window (with order_by).
   */
  public String notBuried(String r) {
    return "NOT EXISTS (SELECT 1 FROM "
        + table.sql()
        + " AS d WHERE "
        + sql.keyMatch("d", r)
        + " AND ("
        + sql.newer(r, "d")
        + ") IS NOT TRUE)";
  }

  /** Stamps the tombstones this window recorded. Binds: the time (UTC, without zone). */
  public String stamp() {
    return "UPDATE "
        + table.sql()
        + " SET "
        + quote(RECORDED_AT)
        + " = ? WHERE "
        + quote(RECORDED_AT)
        + " IS NULL";
  }

  /** Forgets tombstones recorded before a time (retention). Binds: the time. */
  public String expire() {
    return "DELETE FROM " + table.sql() + " WHERE " + quote(RECORDED_AT) + " < ?";
  }

  /** How many tombstones there are. */
  public String count() {
    return "SELECT count(*) FROM " + table.sql();
  }
}
