package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsDeletes;
import dev.idem.fault.FaultInjector;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Deletes are versions too (merge with a delete rule and order_by): a delete leaves a tombstone
 * with its version, so no older version, from any window, run in any order, forced or late, brings
 * the key back, and a newer one does. Tombstones are never rows. Part of {@link
 * DestinationContractSuite}: one of the abstract classes that keep each part readable; a
 * destination's test extends {@code DestinationContractSuite}, never this class.
 */
public abstract class TombstoneContract extends VersionOrderContract {
  /** Input columns; {@code op} ('d' = delete, Debezium's convention) is not stored. */
  static final Schema CDC =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("version", DataType.INTEGER),
          Column.of("ingested_at", DataType.TIMESTAMP),
          Column.of("op", DataType.STRING));

  static Pipeline cdc(ListSource source) {
    return cdc(source, DeleteRule.equalTo("op", "d"));
  }

  static Pipeline cdc(ListSource source, DeleteRule deletes) {
    return cdc("orders", source, deletes);
  }

  static Pipeline cdc(String name, ListSource source, DeleteRule deletes) {
    return Pipeline.builder(name)
        .version("1")
        .source(source)
        .table("orders")
        .targetColumns(Schema.of(CDC.column(0), CDC.column(1), CDC.column(2), CDC.column(3)))
        .strategy(WriteStrategy.MERGE)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .key(KeySpec.columns("order_id"))
        .orderBy("version")
        .deletes(deletes)
        .build();
  }

  /**
   * Day 1: order 1 v1, order 2 v1. Day 2: order 1 deleted at v2, order 9 (never seen) deleted at
   * v5. Day 3: order 9 at v3 (older than its delete), order 2 deleted at v1 (a tie with day 1's v1:
   * the earlier window wins). Day 4: order 1 again at v4 (newer than its delete).
   */
  static ListSource history() {
    ListSource s = new ListSource(CDC);
    s.add(1L, "ada", 1L, at("2024-03-01T08:00:00"), "c");
    s.add(2L, "bob", 1L, at("2024-03-01T09:00:00"), "c");
    s.add(1L, "ada", 2L, at("2024-03-02T08:00:00"), "d");
    s.add(9L, "zed", 5L, at("2024-03-02T09:00:00"), "d");
    s.add(9L, "zed", 3L, at("2024-03-03T08:00:00"), "u");
    s.add(2L, "bob", 1L, at("2024-03-03T09:00:00"), "d");
    s.add(1L, "ada again", 4L, at("2024-03-04T08:00:00"), "c");
    return s;
  }

  RunReport forced(Destination d, Pipeline p, String... windows) {
    List<Window> ws = new ArrayList<>();
    for (String w : windows) {
      ws.add(p.windows().window(w));
    }
    return run(d, p, ws, RunOptions.defaults("force").forced(), FaultInjector.NONE, "p1");
  }

  @Test
  void aPipelineWithDeletesIsRefusedWhenPlannedExactlyWhenTheDestinationKeepsNoTombstones() {
    Pipeline p = cdc(history());
    try (Destination d = newDestination(services("p1"))) {
      if (d instanceof SupportsDeletes) {
        Runner.checkCapabilities(p, d);
      } else {
        assertThatThrownBy(() -> Runner.checkCapabilities(p, d))
            .isInstanceOf(ConfigException.class)
            // refused by its strategy (a topic: "merge is not supported") or by its deletes
            .hasMessageMatching("(?s).*(support|does not keep deletes).*");
      }
    }
  }

  @Test
  void aForcedOlderWindowAfterADeleteDoesNotBringTheKeyBack() {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = cdc(history());
    Destination d = freshKeepingDeletes();
    RunReport first = run(d, p, p.windows().range("2024-03-01", "2024-03-02"));
    assertBalanced(first);
    assertThat(first.outcomes()).extracting(o -> o.counts().deleted()).containsExactly(0L, 1L);
    List<String> afterDelete = rows(d, "orders");
    assertThat(afterDelete).hasSize(1).allSatisfy(r -> assertThat(r).startsWith("order_id=2|"));

    RunReport again = forced(d, p, "2024-03-01");
    assertBalanced(again);
    assertThat(again.outcomes().get(0).counts().inserted()).isZero();
    assertThat(rows(d, "orders")).isEqualTo(afterDelete);

    // a re-run of the delete window: the delete is unchanged, not deleted again
    RunReport rerun = forced(d, p, "2024-03-02");
    assertBalanced(rerun);
    assertThat(rerun.outcomes().get(0).counts())
        .satisfies(
            c -> {
              assertThat(c.deleted()).isZero();
              assertThat(c.unchanged()).isEqualTo(2);
            });
    assertThat(rows(d, "orders")).isEqualTo(afterDelete);
  }

  @Test
  void aDeleteOfAnAbsentKeyIsRememberedAgainstAnOlderVersionLoadedLater() {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = cdc(history());
    Destination d = freshKeepingDeletes();
    run(d, p, List.of(p.windows().window("2024-03-02")));
    assertThat(rows(d, "orders")).isEmpty();
    RunReport late = run(d, p, List.of(p.windows().window("2024-03-03")));
    assertBalanced(late);
    assertThat(rows(d, "orders")).noneSatisfy(r -> assertThat(r).startsWith("order_id=9|"));
  }

  @Test
  void aNewerVersionAfterADeleteBringsTheKeyBackAndAnyOrderEqualsACleanRun() {
    assumeStrategy(WriteStrategy.MERGE);
    keepsDeletes(fresh());
    Pipeline p = cdc(history());
    List<String> clean = cleanRun(p);
    assertThat(clean)
        .hasSize(2)
        .anySatisfy(
            r ->
                assertThat(r)
                    .startsWith("order_id=1|")
                    .contains("ada again")
                    .contains("_idem_window=2024-03-04"))
        // day 3's delete of order 2 ties with day 1's version: the earlier window wins
        .anySatisfy(
            r -> assertThat(r).startsWith("order_id=2|").contains("_idem_window=2024-03-01"));
    List<Window> reversed = new ArrayList<>(all(p));
    Collections.reverse(reversed);
    Destination d = freshKeepingDeletes();
    RunReport r = run(d, p, reversed);
    assertBalanced(r);
    assertThat(rows(d, "orders")).isEqualTo(clean);
    forced(d, p, "2024-03-02", "2024-03-01", "2024-03-03");
    assertThat(rows(d, "orders")).isEqualTo(clean);
  }

  @Test
  void inOneWindowADeleteBeatsAnUpsertWithEqualOrderValuesAndANullVersionIsTheLeast() {
    assumeStrategy(WriteStrategy.MERGE);
    ListSource s = new ListSource(CDC);
    s.add(1L, "ada", 7L, at("2024-03-01T08:00:00"), "u");
    s.add(1L, "ada", 7L, at("2024-03-01T09:00:00"), "d");
    s.add(2L, "bob", 1L, at("2024-03-01T10:00:00"), "d");
    s.add(2L, "bob", null, at("2024-03-02T10:00:00"), "u"); // NULL: older than the delete
    s.add(3L, "cyd", null, at("2024-03-01T11:00:00"), "d"); // a delete with a NULL version
    s.add(3L, "cyd", 1L, at("2024-03-02T11:00:00"), "u"); // is older than any value
    Pipeline p = cdc(s);
    Destination d = freshKeepingDeletes();
    RunReport r = run(d, p, all(p));
    assertBalanced(r);
    assertThat(rows(d, "orders"))
        .hasSize(1)
        .allSatisfy(row -> assertThat(row).startsWith("order_id=3|"));
    forced(d, p, "2024-03-01");
    assertThat(rows(d, "orders"))
        .hasSize(1)
        .allSatisfy(row -> assertThat(row).startsWith("order_id=3|"));
  }

  /**
   * Makes every tombstone of {@code p}'s target look recorded long ago (year 2000), to test the
   * retention without waiting. Default: the case is skipped.
   */
  protected void ageTombstones(Destination d, Pipeline p) {
    Assumptions.assumeTrue(false, "this destination's test cannot age its tombstones");
  }

  @Test
  void tombstonesOlderThanTheRetentionAreForgottenInTheTransactionOfTheNextWindow() {
    // the older version's own window: the tombstone still applies to it
    agedTombstoneForgottenInTheCommitOf("2024-03-01");
  }

  /**
   * Day 2 deletes order 1 with a retention of 30 days; its tombstone aged past it, {@code window}
   * forced still finds order 1 deleted, and its commit forgets the tombstone: from then on day 1's
   * older version, forced, brings the key back (the price of a retention).
   */
  private void agedTombstoneForgottenInTheCommitOf(String window) {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = cdc(history(), DeleteRule.equalTo("op", "d").retainedFor(Duration.ofDays(30)));
    Destination d = freshKeepingDeletes();
    run(d, p, p.windows().range("2024-03-01", "2024-03-02"));
    ageTombstones(d, p);
    forced(d, p, window);
    assertThat(rows(d, "orders")).noneSatisfy(r -> assertThat(r).startsWith("order_id=1|"));
    forced(d, p, "2024-03-01");
    assertThat(rows(d, "orders")).anySatisfy(r -> assertThat(r).startsWith("order_id=1|"));
  }

  /**
   * A re-run of the window that deleted a key (forced, or its input changed elsewhere) raises the
   * same tombstone again: it keeps the time it was first recorded, so the retention counts from the
   * delete, not from the re-run (a re-run would otherwise change which older versions may come
   * back, and the table would depend on it).
   */
  @Test
  void aReRunOfTheDeletingWindowKeepsItsTombstonesAge() {
    // the delete again: its tombstone stays as old as it was, and is forgotten in this commit
    agedTombstoneForgottenInTheCommitOf("2024-03-02");
  }

  /**
   * Day 3 deletes order 1 at v3 with a retention of 30 days, and its tombstone ages past it. Day 2,
   * loaded late, deletes order 1 at v2: older than the aged tombstone, which its commit forgets, so
   * day 2 records its own delete (recorded now). Day 1's v1, loaded later still, stays out, as in a
   * clean run of the three days. (A delete that raised nothing against a tombstone its own commit
   * forgot was remembered by nothing, and v1 came back.)
   */
  @Test
  void anOlderDeleteInTheWindowThatForgetsAnAgedTombstoneIsRememberedItself() {
    assumeStrategy(WriteStrategy.MERGE);
    ListSource s = new ListSource(CDC);
    s.add(1L, "ada", 1L, at("2024-03-01T08:00:00"), "c");
    s.add(1L, "ada", 2L, at("2024-03-02T08:00:00"), "d");
    s.add(1L, "ada", 3L, at("2024-03-03T08:00:00"), "d");
    Pipeline p = cdc(s, DeleteRule.equalTo("op", "d").retainedFor(Duration.ofDays(30)));
    Destination d = freshKeepingDeletes();
    run(d, p, List.of(p.windows().window("2024-03-03")));
    ageTombstones(d, p);
    run(d, p, List.of(p.windows().window("2024-03-02")));
    RunReport oldest = run(d, p, List.of(p.windows().window("2024-03-01")));
    assertBalanced(oldest);
    assertThat(oldest.outcomes().get(0).counts().inserted()).isZero();
    assertThat(rows(d, "orders")).isEmpty();
  }

  /**
   * Tombstones belong to the table, not to the pipeline that raised them: a pipeline renamed (or a
   * second one writing the same table) backfilling day 1 finds order 1 deleted by the first one's
   * day 2, and loads order 2, which nothing deleted.
   */
  @Test
  void anotherPipelineOfTheSameTableFindsItsTombstones() {
    assumeStrategy(WriteStrategy.MERGE);
    Destination d = freshKeepingDeletes();
    Pipeline first = cdc(history());
    run(d, first, List.of(first.windows().window("2024-03-02")));
    Pipeline renamed = cdc("orders_renamed", history(), DeleteRule.equalTo("op", "d"));
    RunReport older = run(d, renamed, List.of(renamed.windows().window("2024-03-01")));
    assertBalanced(older);
    assertThat(older.outcomes().get(0).counts().inserted()).isEqualTo(1);
    assertThat(rows(d, "orders"))
        .hasSize(1)
        .allSatisfy(r -> assertThat(r).startsWith("order_id=2|"));
  }

  /**
   * {@code equals} compares a value's text, which is the same on every destination for the column
   * types it takes: an integer ({@code 1}) and a boolean ({@code true}). Order 1 is deleted on day
   * 2; order 2's NULL and other values delete nothing.
   */
  @ParameterizedTest
  @CsvSource({"gone, 1", "flag, true"})
  void anEqualsRuleOnAnIntegerOrABooleanColumnDeletesWhereItsTextIsEqual(
      String column, String value) {
    assumeStrategy(WriteStrategy.MERGE);
    Schema typed =
        Schema.of(
            CDC.column(0),
            CDC.column(1),
            CDC.column(2),
            CDC.column(3),
            Column.of("gone", DataType.INTEGER),
            Column.of("flag", DataType.BOOLEAN));
    ListSource s = new ListSource(typed);
    s.add(1L, "ada", 1L, at("2024-03-01T08:00:00"), 0L, false);
    s.add(2L, "bob", 1L, at("2024-03-01T09:00:00"), 10L, false);
    s.add(1L, "ada", 2L, at("2024-03-02T08:00:00"), 1L, true);
    s.add(2L, "bob", 2L, at("2024-03-02T09:00:00"), null, null);
    Pipeline p = cdc("orders", s, DeleteRule.equalTo(column, value));
    Destination d = freshKeepingDeletes();
    RunReport r = run(d, p, all(p));
    assertBalanced(r);
    assertThat(r.outcomes()).extracting(o -> o.counts().deleted()).containsExactly(0L, 1L);
    assertThat(rows(d, "orders"))
        .singleElement()
        .satisfies(row -> assertThat(row).startsWith("order_id=2|").contains("version=2"));
  }

  /**
   * Day 2's input changes so that it no longer deletes order 1. As merge keeps a row whose record
   * stopped arriving ({@code
   * DestinationContractSuite.aChangedWindowIsRewrittenAndTheOthersSkipped}), it keeps a delete that
   * stopped arriving: order 1 stays deleted, and its tombstone keeps day 1's older version out. A
   * newer version brings it back; {@code --full-refresh} forgets both.
   */
  @Test
  void aDeleteThatStoppedArrivingIsNotTakenBack() {
    assumeStrategy(WriteStrategy.MERGE);
    assumeCan(Limit.RELOADS_A_DONE_WINDOW);
    ListSource source = history();
    Pipeline p = cdc(source);
    Destination d = freshKeepingDeletes();
    run(d, p, p.windows().range("2024-03-01", "2024-03-02"));
    List<String> deleted = rows(d, "orders");
    source.replaceAll(
        source.records().stream().filter(r -> !((Long) r[0] == 1L && "d".equals(r[4]))).toList());
    RunReport changed = run(d, p, List.of(p.windows().window("2024-03-02")));
    assertThat(changed.outcomes()).extracting(WindowOutcome::result).containsExactly(Result.LOADED);
    assertBalanced(changed);
    assertThat(rows(d, "orders")).isEqualTo(deleted);
    forced(d, p, "2024-03-01");
    assertThat(rows(d, "orders")).isEqualTo(deleted);
  }

  @Test
  void aFullRefreshForgetsTheTombstonesWithTheRows() {
    assumeStrategy(WriteStrategy.MERGE);
    Pipeline p = cdc(history());
    Destination d = freshKeepingDeletes();
    run(d, p, p.windows().range("2024-03-01", "2024-03-02"));
    d.dropTarget(p);
    d.prepare(p);
    RunReport older = run(d, p, List.of(p.windows().window("2024-03-01")));
    assertThat(older.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.LOADED);
    assertThat(rows(d, "orders"))
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).startsWith("order_id=1|"));
  }
}
