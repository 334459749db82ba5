package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.jdbc.TableName;
import dev.idem.jdbc.write.StrategySql;
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
 * Exact SQL of PostgreSQL's one-statement merge and replace_window (moved whole from
 * StrategySqlTest).
 */
class OneStatementSqlTest {
  private static final Schema COLS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("v", DataType.STRING),
          Column.of("ts", DataType.TIMESTAMP),
          Column.of("gone", DataType.BOOLEAN));

  private static OneStatementSql sql(WriteStrategy s, String orderBy) {
    return new OneStatementSql(
        strategySql(
            new Target(
                "mart.t",
                COLS,
                KeySpec.columns("id"),
                s,
                orderBy == null ? List.of() : List.of(orderBy.split(",")),
                null)));
  }

  private static StrategySql strategySql(Target target) {
    return new StrategySql(TableName.parse("mart.t"), target, k -> "");
  }

  @Test
  void postgresMergesInOneStatementThatWritesOnlyNewAndChangedRows() {
    assertThat(sql(WriteStrategy.MERGE, "ts").mergeInOneStatement("staged"))
        .isEqualTo(
            "WITH r AS (SELECT DISTINCT ON (\"id\") \"id\", \"v\", \"ts\", \"gone\", CAST(? AS VARCHAR) AS \"_idem_window_order\" FROM \"staged\" ORDER BY \"id\", \"ts\" DESC NULLS LAST, \"v\" DESC NULLS LAST, \"gone\" DESC NULLS LAST),"
                + " c AS (SELECT * FROM (SELECT r.\"id\", r.\"v\", r.\"ts\", r.\"gone\", r.\"_idem_window_order\", o.\"_idem_window\" AS \"_idem_old_window\", CASE"
                + " WHEN r.\"id\" IS NULL THEN NULL"
                + " WHEN o.\"_idem_window\" IS NULL THEN 'i'"
                + " WHEN (r.\"ts\" > o.\"ts\" OR (o.\"ts\" IS NULL AND r.\"ts\" IS NOT NULL) OR (r.\"ts\" IS NOT DISTINCT FROM o.\"ts\" AND r.\"_idem_window_order\" <= o.\"_idem_window_order\")) AND (r.\"v\" IS DISTINCT FROM o.\"v\" OR r.\"ts\" IS DISTINCT FROM o.\"ts\" OR r.\"gone\" IS DISTINCT FROM o.\"gone\" OR ? <> o.\"_idem_window\") THEN 'u' END AS \"_idem_action\""
                + " FROM r LEFT JOIN LATERAL (SELECT * FROM \"mart\".\"t\" AS t WHERE t.\"id\" = r.\"id\" LIMIT 1) AS o ON TRUE) AS q WHERE \"_idem_action\" IS NOT NULL),"
                + " u AS (UPDATE \"mart\".\"t\" AS t SET \"v\" = c.\"v\", \"ts\" = c.\"ts\", \"gone\" = c.\"gone\", \"_idem_window\" = ?, \"_idem_window_order\" = c.\"_idem_window_order\" FROM c WHERE c.\"_idem_action\" = 'u' AND t.\"id\" = c.\"id\" AND (c.\"ts\" > t.\"ts\" OR (t.\"ts\" IS NULL AND c.\"ts\" IS NOT NULL) OR (c.\"ts\" IS NOT DISTINCT FROM t.\"ts\" AND c.\"_idem_window_order\" <= t.\"_idem_window_order\")) AND (c.\"v\" IS DISTINCT FROM t.\"v\" OR c.\"ts\" IS DISTINCT FROM t.\"ts\" OR c.\"gone\" IS DISTINCT FROM t.\"gone\" OR ? <> t.\"_idem_window\") RETURNING c.\"_idem_old_window\"),"
                + " i AS (INSERT INTO \"mart\".\"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\", \"_idem_window_order\") SELECT c.\"id\", c.\"v\", c.\"ts\", c.\"gone\", ?, c.\"_idem_window_order\" FROM c WHERE c.\"_idem_action\" = 'i' RETURNING 1)"
                + " SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE \"id\" IS NULL), (SELECT count(*) FROM i), (SELECT count(*) FROM u), 0, ARRAY(SELECT DISTINCT w FROM (SELECT \"_idem_old_window\" FROM u) AS x (w) WHERE w <> ? ORDER BY w)");
  }

  @Test
  void aMergeWithDeletesRunsStepByStepToKeepItsTombstones() {
    Target plain =
        new Target("mart.t", COLS, KeySpec.columns("id"), WriteStrategy.MERGE, List.of("ts"), null);
    Target deleting =
        new Target(
            "mart.t",
            COLS,
            KeySpec.columns("id"),
            WriteStrategy.MERGE,
            List.of("ts"),
            DeleteRule.flag("gone"));
    PostgresWrites writes = new PostgresWrites();
    assertThat(writes.strategy(plain, strategySql(plain), "w", null))
        .isInstanceOf(OneStatementMerge.class);
    assertThat(writes.strategy(deleting, strategySql(deleting), "w", null))
        .isNotInstanceOf(OneStatementMerge.class);
  }

  @Test
  void postgresReplacesAWindowWithAKeyInOneStatementAsADifference() {
    assertThat(sql(WriteStrategy.REPLACE_WINDOW, null).replaceWindowInOneStatement("staged"))
        .isEqualTo(
            "WITH r AS (SELECT DISTINCT ON (\"id\") \"id\", \"v\", \"ts\", \"gone\" FROM \"staged\" ORDER BY \"id\", \"v\" DESC NULLS LAST, \"ts\" DESC NULLS LAST, \"gone\" DESC NULLS LAST),"
                + " c AS (SELECT * FROM (SELECT r.\"id\", r.\"v\", r.\"ts\", r.\"gone\", o.\"_idem_window\" AS \"_idem_old_window\", CASE WHEN r.\"id\" IS NULL THEN NULL WHEN o.\"_idem_window\" IS NULL THEN 'i' WHEN o.\"_idem_window\" <> ? THEN 'x' WHEN (r.\"v\" IS DISTINCT FROM o.\"v\" OR r.\"ts\" IS DISTINCT FROM o.\"ts\" OR r.\"gone\" IS DISTINCT FROM o.\"gone\") THEN 'u' END AS \"_idem_action\""
                + " FROM r LEFT JOIN LATERAL (SELECT * FROM \"mart\".\"t\" AS t WHERE t.\"id\" = r.\"id\" LIMIT 1) AS o ON TRUE) AS q WHERE \"_idem_action\" IS NOT NULL),"
                + " g AS (DELETE FROM \"mart\".\"t\" AS t WHERE t.\"_idem_window\" = ? AND NOT EXISTS (SELECT 1 FROM r WHERE t.\"id\" = r.\"id\") RETURNING 1),"
                + " u AS (UPDATE \"mart\".\"t\" AS t SET \"v\" = c.\"v\", \"ts\" = c.\"ts\", \"gone\" = c.\"gone\", \"_idem_window\" = ? FROM c WHERE c.\"_idem_action\" = 'u' AND t.\"id\" = c.\"id\" AND t.\"_idem_window\" = ? AND (c.\"v\" IS DISTINCT FROM t.\"v\" OR c.\"ts\" IS DISTINCT FROM t.\"ts\" OR c.\"gone\" IS DISTINCT FROM t.\"gone\") RETURNING 1),"
                + " i AS (INSERT INTO \"mart\".\"t\" (\"id\", \"v\", \"ts\", \"gone\", \"_idem_window\") SELECT c.\"id\", c.\"v\", c.\"ts\", c.\"gone\", ? FROM c WHERE c.\"_idem_action\" = 'i' RETURNING 1)"
                + " SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE \"id\" IS NULL), (SELECT count(*) FROM i), (SELECT count(*) FROM u), (SELECT count(*) FROM g)"
                + ", (SELECT c.\"_idem_old_window\" FROM c WHERE c.\"_idem_action\" = 'x' ORDER BY c.\"id\" LIMIT 1)"
                + ", (SELECT ARRAY[CAST(c.\"id\" AS text)] FROM c WHERE c.\"_idem_action\" = 'x' ORDER BY c.\"id\" LIMIT 1)");
  }
}
