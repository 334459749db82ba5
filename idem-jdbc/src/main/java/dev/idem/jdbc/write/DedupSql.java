package dev.idem.jdbc.write;

import static dev.idem.jdbc.SqlName.quote;

import dev.idem.jdbc.SqlName;
import dev.idem.pipeline.DeleteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-window dedup of {@link StrategySql}: folds a window's rows to one per key into {@link
 * StrategySql#ROWS}, keeping the greatest version (order_by values in declared order, NULL least),
 * on equal order values a delete before an upsert, then the greatest other columns (NULLs last), so
 * arrival order never matters. With deletes, each row carries {@link StrategySql#DELETED}, computed
 * by the target's {@link DeleteRule} (whose column need not be stored).
 */
public final class DedupSql {
  private static final String RN = "_idem_rn";

  private final StrategySql sql;
  private final List<String> orderBy;

  DedupSql(StrategySql sql, List<String> orderBy) {
    this.sql = sql;
    this.orderBy = orderBy;
  }

  /**
   * Statements to run before {@link #statement} (an {@code equals} delete rule's value, bound into
   * a one-row relation), each with its one bound value; empty for the other rules.
   */
  public List<String> before() {
    if (sql.deletes() == null || sql.deletes().kind() != DeleteRule.Kind.EQUALS) {
      return List.of();
    }
    return List.of(
        "CREATE TEMP TABLE " + quote(StrategySql.DELETE_VALUE) + " (v VARCHAR)",
        "INSERT INTO " + quote(StrategySql.DELETE_VALUE) + " VALUES (?)");
  }

  /**
   * Whether {@code row} (an alias of the transform's output or the staged rows) is a delete: true
   * or false, never NULL (a NULL in the column is not a delete, and the row is an upsert).
   */
  private String isDelete(String row) {
    String c = row + "." + quote(sql.deletes().column());
    return switch (sql.deletes().kind()) {
      case BOOLEAN -> "(" + c + " IS TRUE)";
      case NOT_NULL -> "(" + c + " IS NOT NULL)";
      case EQUALS ->
          "((CAST("
              + c
              + " AS VARCHAR) IN (SELECT v FROM "
              + quote(StrategySql.DELETE_VALUE)
              + ")) IS TRUE)";
    };
  }

  /**
   * The columns of {@link StrategySql#ROWS}: the stored ones, then {@link StrategySql#DELETED} with
   * deletes.
   */
  private String rowColumns() {
    return SqlName.list(sql.columns())
        + (sql.deletes() == null ? "" : ", " + quote(StrategySql.DELETED));
  }

  /**
   * The window's rows after in-window dedup by key, from {@code source} (staged or transformed),
   * with the window's order key when the target is versioned. Binds: see {@link
   * StrategySql#sourceBinds}.
   */
  public String statement(String source) {
    if (sql.keys().isEmpty()) {
      return "CREATE TEMP TABLE "
          + quote(StrategySql.ROWS)
          + " AS SELECT "
          + SqlName.list(sql.columns())
          + sql.windowOrderValue()
          + " FROM "
          + quote(source);
    }
    List<String> order = new ArrayList<>(order());
    String from = quote(source);
    if (sql.deletes() != null) {
      // on equal order values a delete beats an upsert (after the order_by columns, before the
      // other columns)
      order.add(orderBy.size(), quote(StrategySql.DELETED) + " DESC");
      from =
          "(SELECT s.*, "
              + isDelete("s")
              + " AS "
              + quote(StrategySql.DELETED)
              + " FROM "
              + from
              + " AS s) AS d";
    }
    String window =
        "PARTITION BY "
            + SqlName.list(sql.keys())
            + (order.isEmpty() ? "" : " ORDER BY " + String.join(", ", order));
    return "CREATE TEMP TABLE "
        + quote(StrategySql.ROWS)
        + " AS SELECT "
        + rowColumns()
        + sql.windowOrderValue()
        + " FROM (SELECT *, row_number() OVER ("
        + window
        + ") AS "
        + quote(RN)
        + " FROM "
        + from
        + ") AS q"
        + " WHERE "
        + quote(RN)
        + " = 1";
  }

  /**
   * Which row of a key's duplicates is kept: the greatest order_by values in declared order, then
   * the greatest other columns, NULLs last.
   */
  public List<String> order() {
    List<String> order = new ArrayList<>();
    for (String c : orderBy) {
      order.add(quote(c) + " DESC NULLS LAST");
    }
    for (String c : sql.nonKeys()) {
      if (!orderBy.contains(c)) {
        order.add(quote(c) + " DESC NULLS LAST");
      }
    }
    return order;
  }
}
