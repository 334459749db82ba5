package dev.idem.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.WriteStrategy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rules of the reconciliation checks: each strategy's relation, the sticky growth baseline, the
 * details.
 */
class ReconciliationTest {
  private static final String FP = "rows:10:0123456789abcdef0123456789abcdef";

  /** A load's counts: read, folded, inserted, updated, unchanged, skipped, deleted, target rows. */
  private static WindowCounts counts(
      long read,
      long folded,
      long inserted,
      long updated,
      long unchanged,
      long skipped,
      long deleted,
      long target) {
    return new WindowCounts(
        read, 0, 0, 0, folded, inserted, updated, unchanged, skipped, deleted, 0, target);
  }

  @Test
  void replaceStrategiesHoldExactlyTheRowsKeptAfterDedup() {
    WindowCounts c = counts(12, 2, 4, 3, 3, 0, 0, 10);
    for (WriteStrategy s : List.of(WriteStrategy.REPLACE_WINDOW, WriteStrategy.REPLACE_TABLE)) {
      CheckResult ok = Reconciliation.targetRows("w", s, FP, c, 10);
      assertThat(ok.status()).isEqualTo(CheckStatus.PASS);
      assertThat(ok.detail())
          .isEqualTo(
              "10 rows as the ledger recorded; "
                  + s.label()
                  + " keeps exactly the 10 rows of its last load (inserted + updated + unchanged)");
      // one row fewer than the load kept, even though the ledger agrees (recorded 9): the relation
      // fails
      CheckResult short1 =
          Reconciliation.targetRows("w", s, FP, counts(12, 2, 4, 3, 3, 0, 0, 9), 9);
      assertThat(short1.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(short1.detail())
          .isEqualTo(
              "9 rows, but "
                  + s.label()
                  + " keeps exactly the 10 rows of its last load (inserted + updated + unchanged)");
    }
  }

  @Test
  void aWindowSupersededByALaterReplaceTableHoldsNoRows() {
    WindowCounts superseded = counts(5, 0, 5, 0, 0, 0, 0, 0);
    assertThat(
            Reconciliation.targetRows("w", WriteStrategy.REPLACE_TABLE, null, superseded, 0)
                .status())
        .isEqualTo(CheckStatus.PASS);
    CheckResult back =
        Reconciliation.targetRows("w", WriteStrategy.REPLACE_TABLE, null, superseded, 2);
    assertThat(back.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(back.detail())
        .isEqualTo(
            "2 rows in the target, the ledger recorded 0: rows were added behind idem's back;"
                + " 2 rows, but a later replace_table window superseded it: expected 0 rows");
  }

  @Test
  void mergeHoldsAtMostTheRowsKeptSinceLaterWindowsTakeKeysOver() {
    WindowCounts c = counts(10, 0, 6, 1, 3, 0, 0, 7); // 3 keys taken over by a later window since
    assertThat(Reconciliation.targetRows("w", WriteStrategy.MERGE, FP, c, 7).status())
        .isEqualTo(CheckStatus.PASS);
    // more than the last load kept: keys of an earlier load that left the input stay (merge deletes
    // nothing), so only a warning
    CheckResult more =
        Reconciliation.targetRows(
            "w", WriteStrategy.MERGE, FP, counts(10, 0, 6, 1, 3, 0, 0, 12), 12);
    assertThat(more.status()).isEqualTo(CheckStatus.WARN);
    assertThat(more.detail())
        .isEqualTo(
            "12 rows, more than the 10 rows its last load kept (inserted + updated + unchanged):"
                + " keys an earlier load wrote that left the input, or rows written behind idem's back");
    assertThat(
            Reconciliation.targetRows(
                    "w", WriteStrategy.MERGE, FP, counts(10, 0, 6, 1, 3, 0, 0, 10), 12)
                .status())
        .isEqualTo(CheckStatus.FAIL);
  }

  @Test
  void appendHoldsFromWhatItInsertedToWhatItInsertedOrSkipped() {
    WindowCounts reload =
        counts(10, 0, 2, 0, 0, 8, 0, 10); // a re-load skips the 8 rows it inserted before
    assertThat(Reconciliation.targetRows("w", WriteStrategy.APPEND, FP, reload, 10).status())
        .isEqualTo(CheckStatus.PASS);
    CheckResult fewer =
        Reconciliation.targetRows(
            "w", WriteStrategy.APPEND, FP, counts(10, 0, 2, 0, 0, 8, 0, 1), 1);
    assertThat(fewer.status())
        .isEqualTo(CheckStatus.FAIL); // append never moves nor deletes what it inserted
    assertThat(fewer.detail())
        .isEqualTo(
            "1 row, but append holds from the 2 rows its last load inserted to 10 (inserted + skipped)");
    assertThat(
            Reconciliation.targetRows(
                    "w", WriteStrategy.APPEND, FP, counts(10, 0, 2, 0, 0, 8, 0, 11), 11)
                .status())
        .isEqualTo(CheckStatus.WARN);
  }

  @Test
  void rowsAddedOrDeletedBehindIdemsBackDisagreeWithTheLedger() {
    WindowCounts c = counts(10, 0, 10, 0, 0, 0, 0, 10);
    assertThat(Reconciliation.targetRows("w", WriteStrategy.MERGE, FP, c, 0).detail())
        .isEqualTo(
            "0 rows in the target, the ledger recorded 10: rows were deleted behind idem's back");
    assertThat(Reconciliation.targetRows("w", WriteStrategy.MERGE, FP, c, 11).detail())
        .isEqualTo(
            "11 rows in the target, the ledger recorded 10: rows were added behind idem's back; 11 rows, more than the 10 rows its last load"
                + " kept (inserted + updated + unchanged): keys an earlier load wrote that left the input, or rows written behind idem's back");
  }

  @Test
  void growthWithTheSameInputFailsAndStaysFailedUntilTheInputChanges() {
    CheckResult first = Reconciliation.growth("w", Optional.empty(), FP, 10, 10);
    assertThat(first.status()).isEqualTo(CheckStatus.PASS);
    assertThat(first.detail())
        .isEqualTo("10 rows for input rows:10:01234567, as its load recorded");

    CheckResult grew = Reconciliation.growth("w", Optional.of(first), FP, 12, 12);
    assertThat(grew.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(grew.detail())
        .isEqualTo(
            "12 rows for input rows:10:01234567, 10 before with the same input:"
                + " rows were added by another writer, or a load of this window is not idempotent");
    // the next check compares with the baseline of 10, not with the 12 the failure observed
    assertThat(Reconciliation.growth("w", Optional.of(grew), FP, 12, 12).status())
        .isEqualTo(CheckStatus.FAIL);
    assertThat(Reconciliation.growth("w", Optional.of(grew), FP, 10, 10).detail())
        .isEqualTo("10 rows for input rows:10:01234567, as before");

    CheckResult changed =
        Reconciliation.growth("w", Optional.of(grew), "rows:12:fedcba9876543210", 12, 12);
    assertThat(changed.status()).isEqualTo(CheckStatus.PASS);
    assertThat(changed.detail())
        .isEqualTo(
            "12 rows for input rows:12:fedcba98: the input changed (10 rows for input rows:10:01234567 before)");
    assertThat(
            Reconciliation.growth("w", Optional.of(changed), "rows:12:fedcba9876543210", 13, 13)
                .detail())
        .startsWith("13 rows for input rows:12:fedcba98, 12 before with the same input");
  }

  @Test
  void withoutAPreviousResultGrowthComparesWithTheLedgersCount() {
    assertThat(Reconciliation.growth("w", Optional.empty(), FP, 11, 10).status())
        .isEqualTo(CheckStatus.FAIL);
    CheckResult shrank = Reconciliation.growth("w", Optional.empty(), FP, 7, 10);
    assertThat(shrank.status()).isEqualTo(CheckStatus.PASS);
    assertThat(shrank.detail())
        .isEqualTo(
            "7 rows for input rows:10:01234567, 10 before with the same input (fewer: later windows took keys over, or rows were deleted)");
    assertThat(Reconciliation.growth("w", Optional.empty(), null, 0, 0).detail())
        .isEqualTo("0 rows for input none, as its load recorded");
    assertThat(Reconciliation.input("my custom, fingerprint")).isEqualTo("my_custom__fingerprint");
  }

  @Test
  void aShrinkKeepsTheBaselineAndTheLedgersLowerCountLowersIt() {
    CheckResult loaded = Reconciliation.growth("w", Optional.empty(), FP, 10, 10);
    CheckResult deleted =
        Reconciliation.growth(
            "w", Optional.of(loaded), FP, 0, 10); // rows deleted behind idem's back
    assertThat(deleted.status()).isEqualTo(CheckStatus.PASS);
    // a re-load of the same input restores the 10 rows: not growth
    assertThat(Reconciliation.growth("w", Optional.of(deleted), FP, 10, 10).status())
        .isEqualTo(CheckStatus.PASS);
    // a later window took 3 keys over (the ledger records 7), then another writer added 2 rows
    CheckResult added = Reconciliation.growth("w", Optional.of(loaded), FP, 9, 7);
    assertThat(added.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(added.detail())
        .startsWith("9 rows for input rows:10:01234567, 7 before with the same input:");
  }

  @Test
  void duplicateKeysNameTheFirstKeyAndItsWindows() {
    CheckResult r =
        Reconciliation.duplicateKeys(
            "orders", List.of("order_id"), 2, 3, List.of("1003"), 3, "2024-03-01", "2024-03-03");
    assertThat(r.windowId()).isEqualTo(CheckResult.TABLE);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.detail())
        .isEqualTo(
            "2 keys appear more than once in orders (3 extra rows); e.g. key [order_id]=[1003]: 3 rows, windows 2024-03-01 ... 2024-03-03");
    assertThat(
            Reconciliation.duplicateKeys(
                    "t", List.of("a", "b"), 1, 1, List.of("x", "y"), 2, "w1", "w1")
                .detail())
        .isEqualTo(
            "1 key appears more than once in t (1 extra row); e.g. key [a, b]=[x, y]: 2 rows, all in window w1");
  }

  @Test
  void theWorstStatusOrdersFailOverWarnOverPass() {
    List<CheckResult> results =
        List.of(
            CheckResult.of("a", Check.GROWTH, CheckStatus.PASS, "x"),
            CheckResult.of("a", Check.TARGET_ROWS, CheckStatus.WARN, "y"));
    assertThat(CheckStatus.worst(results)).contains(CheckStatus.WARN);
    assertThat(CheckStatus.worst(List.of())).isEmpty();
    assertThat(Check.of("duplicate_keys")).contains(Check.DUPLICATE_KEYS);
    assertThat(Check.of("from_a_newer_idem")).isEmpty();
  }
}
