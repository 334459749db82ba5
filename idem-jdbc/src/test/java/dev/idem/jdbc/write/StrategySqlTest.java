package dev.idem.jdbc.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.jdbc.TableName;
import dev.idem.jdbc.dialect.postgres.PostgresDialect;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact SQL of every strategy step: identifiers quoted, the window id (and, where the window's rows
 * are read, its order key) the only bound values.
 */
class StrategySqlTest {
  private static final Schema COLS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("v", DataType.STRING),
          Column.of("ts", DataType.TIMESTAMP),
          Column.of("gone", DataType.BOOLEAN));

  private static StrategySql sql(WriteStrategy s, String orderBy, String deleteFlag) {
    return new StrategySql(
        TableName.parse("mart.t"),
        new Target(
            "mart.t",
            COLS,
            KeySpec.columns("id"),
            s,
            orderBy == null ? List.of() : List.of(orderBy.split(",")),
            deleteFlag == null ? null : DeleteRule.flag(deleteFlag)),
        k -> "");
  }

  @Test
  void dedupKeepsTheLatestByOrderThenByTheOtherColumns() {
    assertThat(sql(WriteStrategy.MERGE, "ts", null).dedup().statement("staged"))
        .isEqualTo(
            "CREATE TEMP TABLE \"idem_rows\" AS SELECT \"id\", \"v\", \"ts\", \"gone\", CAST(? AS VARCHAR) AS \"_idem_window_order\" FROM (SELECT *, row_number() OVER ("
                + "PARTITION BY \"id\" ORDER BY \"ts\" DESC NULLS LAST, \"v\" DESC NULLS LAST, \"gone\" DESC NULLS LAST) AS \"_idem_rn\""
                + " FROM \"staged\") AS q WHERE \"_idem_rn\" = 1");
  }

  @Test
  void dedupOrdersByEveryOrderByColumnInDeclaredOrder() {
    assertThat(sql(WriteStrategy.APPEND, "ts,v", null).dedup().statement("staged"))
        .isEqualTo(
            "CREATE TEMP TABLE \"idem_rows\" AS SELECT \"id\", \"v\", \"ts\", \"gone\" FROM (SELECT *, row_number() OVER ("
                + "PARTITION BY \"id\" ORDER BY \"ts\" DESC NULLS LAST, \"v\" DESC NULLS LAST, \"gone\" DESC NULLS LAST) AS \"_idem_rn\""
                + " FROM \"staged\") AS q WHERE \"_idem_rn\" = 1");
  }

  @Test
  void theWindowOrderKeyIsBoundFirstWhereTheWindowsRowsAreRead() {
    StrategySql s =
        new StrategySql(
            TableName.parse("t"),
            new Target("t", COLS, KeySpec.columns("id"), WriteStrategy.MERGE, List.of("ts"), null),
            k -> "",
            "orders 0000000000 0000000000000000999");
    assertThat(s.sourceBinds(s.dedup().statement("staged"), "orders-0@999"))
        .containsExactly("orders 0000000000 0000000000000000999");
    assertThat(s.sourceBinds("? ? ?", "orders-0@999"))
        .containsExactly("orders 0000000000 0000000000000000999", "orders-0@999", "orders-0@999");
    assertThat(sql(WriteStrategy.APPEND, "ts", null).sourceBinds("? ?", "w"))
        .containsExactly("w", "w");
  }

  @Test
  void dedupWithoutKeyKeepsEveryRow() {
    StrategySql s =
        new StrategySql(
            TableName.parse("t"),
            new Target("t", COLS, null, WriteStrategy.REPLACE_WINDOW, null, null),
            k -> "");
    assertThat(s.dedup().statement("idem_transformed"))
        .isEqualTo(
            "CREATE TEMP TABLE \"idem_rows\" AS SELECT \"id\", \"v\", \"ts\", \"gone\" FROM \"idem_transformed\"");
  }

  @Test
  void appendInsertsOnlyNewKeys() {
    assertThat(sql(WriteStrategy.APPEND, null, null).insertNew())
        .isEqualTo(
            "INSERT INTO \"mart\".\"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\") SELECT r.\"id\", r.\"v\", r.\"ts\", r.\"gone\", ? FROM \"idem_rows\" AS r"
                + " WHERE NOT EXISTS (SELECT 1 FROM \"mart\".\"t\" AS t WHERE t.\"id\" = r.\"id\")");
  }

  @Test
  void postgresInsertsNewKeysSkippingOnlyAConflictOnTheKey() {
    StrategySql s =
        new StrategySql(
            TableName.parse("t"),
            new Target("t", COLS, KeySpec.columns("id"), WriteStrategy.MERGE, null, null),
            new PostgresDialect().writes()::insertConflictClause);
    assertThat(s.insertNew())
        .isEqualTo(
            "INSERT INTO \"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\") SELECT r.\"id\", r.\"v\", r.\"ts\", r.\"gone\", ? FROM \"idem_rows\" AS r"
                + " WHERE NOT EXISTS (SELECT 1 FROM \"t\" AS t WHERE t.\"id\" = r.\"id\") ON CONFLICT (\"id\") DO NOTHING");
    assertThat(s.countNew())
        .isEqualTo(
            "SELECT count(*) FROM \"idem_rows\" AS r WHERE NOT EXISTS (SELECT 1 FROM \"t\" AS t WHERE t.\"id\" = r.\"id\")");
  }

  @Test
  void mergeWithOrderInsertsNewKeysWithTheirWindowOrderKey() {
    assertThat(sql(WriteStrategy.MERGE, "ts", null).insertNew())
        .isEqualTo(
            "INSERT INTO \"mart\".\"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\", \"_idem_window_order\") SELECT r.\"id\", r.\"v\", r.\"ts\", r.\"gone\", ?, r.\"_idem_window_order\" FROM \"idem_rows\" AS r"
                + " WHERE NOT EXISTS (SELECT 1 FROM \"mart\".\"t\" AS t WHERE t.\"id\" = r.\"id\")");
  }

  @Test
  void newerComparesTheOrderByColumnsInDeclaredOrderThenTheWindowOrder() {
    assertThat(sql(WriteStrategy.MERGE, "ts,v", null).newer("r", "t"))
        .isEqualTo(
            "(r.\"ts\" > t.\"ts\" OR (t.\"ts\" IS NULL AND r.\"ts\" IS NOT NULL) OR (r.\"ts\" IS NOT DISTINCT FROM t.\"ts\" AND"
                + " (r.\"v\" > t.\"v\" OR (t.\"v\" IS NULL AND r.\"v\" IS NOT NULL) OR (r.\"v\" IS NOT DISTINCT FROM t.\"v\" AND"
                + " r.\"_idem_window_order\" <= t.\"_idem_window_order\"))))");
  }

  @Test
  void mergeUpdatesOnlyNewerAndDifferentRows() {
    assertThat(sql(WriteStrategy.MERGE, "ts", null).mergeUpdate())
        .isEqualTo(
            "UPDATE \"mart\".\"t\" AS t SET \"v\" = r.\"v\", \"ts\" = r.\"ts\", \"gone\" = r.\"gone\", \"_idem_window\" = ?, \"_idem_window_order\" = r.\"_idem_window_order\" FROM \"idem_rows\" AS r"
                + " WHERE t.\"id\" = r.\"id\""
                + " AND (r.\"ts\" > t.\"ts\" OR (t.\"ts\" IS NULL AND r.\"ts\" IS NOT NULL) OR (r.\"ts\" IS NOT DISTINCT FROM t.\"ts\" AND r.\"_idem_window_order\" <= t.\"_idem_window_order\"))"
                + " AND (r.\"v\" IS DISTINCT FROM t.\"v\" OR r.\"ts\" IS DISTINCT FROM t.\"ts\" OR r.\"gone\" IS DISTINCT FROM t.\"gone\" OR ? <> t.\"_idem_window\")");
  }

  @Test
  void mergeWithoutOrderIsLastWriterWinsOnChangedRowsOnly() {
    assertThat(sql(WriteStrategy.MERGE, null, null).mergeUpdate())
        .endsWith(
            " WHERE t.\"id\" = r.\"id\" AND TRUE AND (r.\"v\" IS DISTINCT FROM t.\"v\" OR r.\"ts\" IS DISTINCT FROM t.\"ts\" OR r.\"gone\" IS DISTINCT FROM t.\"gone\")");
  }

  @Test
  void mergeWithDeleteFlag() {
    StrategySql s = sql(WriteStrategy.MERGE, "ts", "gone");
    String newer =
        "(r.\"ts\" > t.\"ts\" OR (t.\"ts\" IS NULL AND r.\"ts\" IS NOT NULL) OR (r.\"ts\" IS NOT DISTINCT FROM t.\"ts\" AND r.\"_idem_window_order\" <= t.\"_idem_window_order\"))";
    assertThat(s.dedup().statement("staged"))
        .isEqualTo(
            "CREATE TEMP TABLE \"idem_rows\" AS SELECT \"id\", \"v\", \"ts\", \"gone\", \"_idem_deleted\", CAST(? AS VARCHAR) AS \"_idem_window_order\" FROM (SELECT *, row_number() OVER ("
                + "PARTITION BY \"id\" ORDER BY \"ts\" DESC NULLS LAST, \"_idem_deleted\" DESC, \"v\" DESC NULLS LAST, \"gone\" DESC NULLS LAST) AS \"_idem_rn\""
                + " FROM (SELECT s.*, (s.\"gone\" IS TRUE) AS \"_idem_deleted\" FROM \"staged\" AS s) AS d) AS q WHERE \"_idem_rn\" = 1");
    assertThat(s.mergeDelete())
        .isEqualTo(
            "DELETE FROM \"mart\".\"t\" AS t WHERE EXISTS (SELECT 1 FROM \"idem_rows\" AS r WHERE t.\"id\" = r.\"id\" AND r.\"_idem_deleted\""
                + " AND "
                + newer
                + ")");
    String notBuried =
        " AND NOT r.\"_idem_deleted\" AND NOT EXISTS (SELECT 1 FROM \"_idem\".\""
            + s.tombstones().name().table()
            + "\" AS d WHERE d.\"id\" = r.\"id\" AND ("
            + newer.replace("t.", "d.")
            + ") IS NOT TRUE)";
    assertThat(s.insertNew()).endsWith(notBuried);
    assertThat(s.mergeUpdate()).endsWith(notBuried);
    assertThat(s.tombstones().raise())
        .isEqualTo(
            "UPDATE \"_idem\".\""
                + s.tombstones().name().table()
                + "\" AS t SET \"ts\" = r.\"ts\", \"_idem_window\" = ?, \"_idem_window_order\" = r.\"_idem_window_order\", \"_idem_recorded_at\" = NULL FROM \"idem_rows\" AS r"
                + " WHERE t.\"id\" = r.\"id\" AND r.\"_idem_deleted\" AND (r.\"ts\" IS DISTINCT FROM t.\"ts\" OR ? <> t.\"_idem_window\") AND "
                + newer);
  }

  @Test
  void deleteConventionsAreReadFromAColumnTheTargetNeedNotStore() {
    Target t =
        new Target(
            "t",
            COLS,
            KeySpec.columns("id"),
            WriteStrategy.MERGE,
            List.of(),
            DeleteRule.equalTo("op", "d"));
    StrategySql s = new StrategySql(TableName.parse("t"), t, k -> "");
    assertThat(s.dedup().before())
        .containsExactly(
            "CREATE TEMP TABLE \"idem_delete_value\" (v VARCHAR)",
            "INSERT INTO \"idem_delete_value\" VALUES (?)");
    assertThat(s.dedup().statement("staged"))
        .contains(
            "((CAST(s.\"op\" AS VARCHAR) IN (SELECT v FROM \"idem_delete_value\")) IS TRUE) AS \"_idem_deleted\"")
        .contains("ORDER BY \"_idem_deleted\" DESC, \"v\" DESC NULLS LAST");
    // no order_by: no versions to remember, so no tombstones
    assertThat(s.tombstones()).isNull();
    Target airbyte =
        new Target(
            "t",
            COLS,
            KeySpec.columns("id"),
            WriteStrategy.MERGE,
            List.of("ts"),
            DeleteRule.notNull("_ab_cdc_deleted_at"));
    assertThat(new StrategySql(TableName.parse("t"), airbyte, k -> "").dedup().statement("staged"))
        .contains("(s.\"_ab_cdc_deleted_at\" IS NOT NULL) AS \"_idem_deleted\"");
  }

  @Test
  void replaceWindowDeletesTheSliceByLineage() {
    StrategySql s = sql(WriteStrategy.REPLACE_WINDOW, null, null);
    assertThat(s.deleteWindow()).isEqualTo("DELETE FROM \"mart\".\"t\" WHERE \"_idem_window\" = ?");
    assertThat(s.insertAll())
        .isEqualTo(
            "INSERT INTO \"mart\".\"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\") SELECT \"id\", \"v\", \"ts\", \"gone\", ? FROM \"idem_rows\"");
    assertThat(s.keyInOtherWindow())
        .isEqualTo(
            "SELECT t.\"_idem_window\", r.\"id\" FROM \"idem_rows\" AS r JOIN \"mart\".\"t\" AS t ON t.\"id\" = r.\"id\" WHERE t.\"_idem_window\" <> ?");
  }

  @Test
  void hostileColumnNamesStayInsideTheirQuotes() {
    Schema cols =
        Schema.of(
            Column.of("id\"; DROP TABLE x; --", DataType.INTEGER), Column.of("v", DataType.STRING));
    StrategySql s =
        new StrategySql(
            TableName.parse("t"),
            new Target(
                "t",
                cols,
                KeySpec.columns("id\"; DROP TABLE x; --"),
                WriteStrategy.APPEND,
                null,
                null),
            k -> "");
    assertThat(s.insertNew())
        .contains("\"id\"\"; DROP TABLE x; --\"")
        .doesNotContain("\"id\"; DROP");
  }

  @Test
  void hashKeysUseTheKeyColumn() {
    StrategySql s =
        new StrategySql(
            TableName.parse("t"),
            new Target("t", COLS, KeySpec.hash("v", "ts"), WriteStrategy.APPEND, null, null),
            k -> "");
    assertThat(s.insertNew())
        .contains("(\"id\", \"v\", \"ts\", \"gone\", \"_idem_key\", \"_idem_window\")")
        .contains("t.\"_idem_key\" = r.\"_idem_key\"");
  }

  @Test
  void reconciliationCountsRowsPerWindowAndFindsDuplicateKeysInOneScanEach() {
    StrategySql s =
        new StrategySql(
            TableName.parse("mart.t"),
            new Target("mart.t", COLS, KeySpec.columns("id", "v"), WriteStrategy.MERGE, null, null),
            k -> "");
    assertThat(s.rowsPerWindow())
        .isEqualTo(
            "SELECT \"_idem_window\" AS \"_idem_w\", count(*) AS \"_idem_n\" FROM \"mart\".\"t\" GROUP BY \"_idem_window\"");
    // sorted by the key's values (d."id"), not by their text: the text columns would take the names
    // in PostgreSQL's ORDER BY
    assertThat(s.duplicateKeys())
        .isEqualTo(
            "SELECT count(*) OVER (), CAST(sum(\"_idem_n\") OVER () - count(*) OVER () AS BIGINT), \"_idem_n\", \"_idem_first\", \"_idem_last\","
                + " CAST(d.\"id\" AS VARCHAR), CAST(d.\"v\" AS VARCHAR)"
                + " FROM (SELECT \"id\", \"v\", count(*) AS \"_idem_n\", min(\"_idem_window\") AS \"_idem_first\", max(\"_idem_window\") AS \"_idem_last\""
                + " FROM \"mart\".\"t\" GROUP BY \"id\", \"v\" HAVING count(*) > 1) AS d ORDER BY d.\"id\", d.\"v\" LIMIT 1");
  }
}
