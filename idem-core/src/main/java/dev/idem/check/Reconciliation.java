package dev.idem.check;

import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.WriteStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of the reconciliation checks, apart from any database: from what the ledger recorded
 * for a window and what the target holds, a verdict and its one-line detail. Destinations gather
 * the facts (row counts by lineage column, duplicate keys) and record the verdicts.
 *
 * <p>{@code target_rows} holds two conditions. The target holds exactly the rows the ledger
 * recorded: idem updates a window's recorded count whenever one of its own writes moves rows (a
 * later window taking keys over, a replace_table superseding the table), so any difference was made
 * behind its back. And the recorded count stands in the strategy's relation to the window's last
 * load: {@code replace_window} and {@code replace_table} keep exactly the rows of the window after
 * dedup ({@code inserted + updated + unchanged}); {@code merge} keeps at most those (later windows
 * may take keys over); {@code append} holds at least what it inserted and at most that plus what it
 * skipped as existing (a re-load skips the rows it inserted before). A window a later {@code
 * replace_table} window superseded holds no rows.
 *
 * <p>{@code growth} compares a window's rows with the previous observation for the same input
 * fingerprint. Its detail records the observation ({@code N rows for input F}); a failed result
 * keeps the earlier baseline ({@code , B before with the same input}), so the failure stays until
 * the input changes or the rows go away, instead of being accepted by the next check.
 */
public final class Reconciliation {
  private static final Pattern OBSERVED =
      Pattern.compile("^(\\d+) rows? for input (\\S+?)(?:,|: |$)");
  private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{16,}");
  private static final Pattern BASELINE = Pattern.compile(", (\\d+) before with the same input");

  private Reconciliation() {}

  /**
   * The {@code target_rows} check of a window: {@code actual} rows hold its lineage in the target;
   * the ledger recorded {@code recorded} (its counts of the last load, and the target rows since),
   * with input {@code fingerprint} (null when a later replace_table window superseded it, or it
   * never committed).
   */
  public static CheckResult targetRows(
      String windowId,
      WriteStrategy strategy,
      String fingerprint,
      WindowCounts recorded,
      long actual) {
    List<String> failures = new ArrayList<>();
    long ledger = recorded.targetRows();
    if (actual != ledger) {
      failures.add(
          rows(actual)
              + " in the target, the ledger recorded "
              + ledger
              + ": rows were "
              + (actual > ledger ? "added" : "deleted")
              + " behind idem's back");
    }
    long kept = recorded.inserted() + recorded.updated() + recorded.unchanged();
    String relation;
    CheckStatus verdict;
    if (strategy == WriteStrategy.REPLACE_TABLE && fingerprint == null) {
      verdict = actual == 0 ? CheckStatus.PASS : CheckStatus.FAIL;
      relation = "a later replace_table window superseded it: expected 0 rows";
    } else {
      switch (strategy) {
        case REPLACE_WINDOW, REPLACE_TABLE -> {
          verdict = actual == kept ? CheckStatus.PASS : CheckStatus.FAIL;
          relation =
              strategy.label()
                  + " keeps exactly the "
                  + kept
                  + " rows of its last load (inserted + updated + unchanged)";
        }
        case MERGE -> {
          verdict = actual <= kept ? CheckStatus.PASS : CheckStatus.WARN;
          relation =
              actual <= kept
                  ? "merge keeps at most the "
                      + kept
                      + " rows of its last load (inserted + updated + unchanged; later windows may take keys over)"
                  : "more than the "
                      + kept
                      + " rows its last load kept (inserted + updated + unchanged): keys an earlier load wrote that left"
                      + " the input, or rows written behind idem's back";
        }
        case APPEND -> {
          long most = recorded.inserted() + recorded.skipped();
          verdict =
              actual < recorded.inserted()
                  ? CheckStatus.FAIL
                  : actual <= most ? CheckStatus.PASS : CheckStatus.WARN;
          relation =
              verdict == CheckStatus.WARN
                  ? "more than the "
                      + most
                      + " rows its last load inserted or skipped as existing: keys an earlier load wrote that left the"
                      + " input, or rows written behind idem's back"
                  : "append holds from the "
                      + recorded.inserted()
                      + " rows its last load inserted to "
                      + most
                      + " (inserted + skipped)";
        }
        default -> throw new IllegalStateException("unknown strategy " + strategy);
      }
    }
    if (failures.isEmpty() && verdict == CheckStatus.PASS) {
      return CheckResult.of(
          windowId,
          Check.TARGET_ROWS,
          CheckStatus.PASS,
          rows(actual) + " as the ledger recorded; " + relation);
    }
    if (verdict != CheckStatus.PASS) {
      failures.add(rows(actual) + (verdict == CheckStatus.WARN ? ", " : ", but ") + relation);
    }
    return CheckResult.of(
        windowId,
        Check.TARGET_ROWS,
        failures.size() > 1 || verdict == CheckStatus.PASS ? CheckStatus.FAIL : verdict,
        String.join("; ", failures));
  }

  /**
   * The {@code target_rows} check of a window whose last load failed: its ledger row counts that
   * failed attempt (which wrote nothing), so only the target rows recorded by the load before it
   * can be compared with the {@code actual} rows.
   */
  public static CheckResult targetRowsOfFailed(
      String windowId, WindowCounts recorded, long actual) {
    long ledger = recorded.targetRows();
    if (actual == ledger) {
      return CheckResult.of(
          windowId,
          Check.TARGET_ROWS,
          CheckStatus.PASS,
          rows(actual)
              + " as the ledger recorded before the last load,"
              + " which failed and wrote nothing");
    }
    return CheckResult.of(
        windowId,
        Check.TARGET_ROWS,
        CheckStatus.FAIL,
        rows(actual)
            + " in the target, the ledger recorded "
            + ledger
            + " before the last load, which failed: rows were "
            + (actual > ledger ? "added" : "deleted")
            + " behind idem's back");
  }

  /**
   * The {@code growth} check of a window holding {@code actual} rows for input {@code fingerprint},
   * whose ledger row records {@code recorded} rows. The baseline is the least of the previous
   * result's baseline for the same input and the recorded rows (idem lowers those when later
   * windows take keys over); without a previous result for this input, the recorded rows. More rows
   * than the baseline fail. A shrink keeps the baseline, so rows restored by a later load of the
   * same input are not taken for growth.
   */
  public static CheckResult growth(
      String windowId,
      Optional<CheckResult> previous,
      String fingerprint,
      long actual,
      long recorded) {
    String input = input(fingerprint);
    Optional<Baseline> before = previous.flatMap(Reconciliation::baseline);
    boolean sameInput = before.isPresent() && before.get().input().equals(input);
    long baseline = sameInput ? Math.min(before.get().rows(), recorded) : recorded;
    String observed = rows(actual) + " for input " + input;
    if (actual > baseline) {
      return CheckResult.of(
          windowId,
          Check.GROWTH,
          CheckStatus.FAIL,
          observed
              + ", "
              + baseline
              + " before with the same input: rows were added by another writer, or a load of this window is not idempotent");
    }
    StringBuilder detail = new StringBuilder(observed);
    if (actual < baseline) {
      detail
          .append(", ")
          .append(baseline)
          .append(
              " before with the same input (fewer: later windows took keys over, or rows were deleted)");
    } else if (before.isEmpty() || sameInput) {
      detail.append(before.isEmpty() ? ", as its load recorded" : ", as before");
    }
    if (before.isPresent() && !sameInput) {
      detail
          .append(": the input changed (")
          .append(rows(before.get().rows()))
          .append(" for input ")
          .append(before.get().input())
          .append(" before)");
    }
    return CheckResult.of(windowId, Check.GROWTH, CheckStatus.PASS, detail.toString());
  }

  /** What a growth result recorded: the rows to compare with next time, and for which input. */
  record Baseline(long rows, String input) {}

  static Optional<Baseline> baseline(CheckResult growth) {
    Matcher m = OBSERVED.matcher(growth.detail());
    if (growth.check() != Check.GROWTH || !m.find()) {
      return Optional.empty();
    }
    Matcher b = BASELINE.matcher(growth.detail());
    long rows = b.find() ? Long.parseLong(b.group(1)) : Long.parseLong(m.group(1));
    return Optional.of(new Baseline(rows, m.group(2)));
  }

  /**
   * A fingerprint as it appears in details: its readable prefix and 8 characters of its hash
   * ({@code rows:13:1a2b3c4d}, as {@code idem status} shows it), or the whole fingerprint when it
   * does not end with a hexadecimal hash; without spaces; {@code none} when there is none.
   */
  public static String input(String fingerprint) {
    if (fingerprint == null || fingerprint.isBlank()) {
      return "none";
    }
    int hash = fingerprint.lastIndexOf(':') + 1;
    // only a long hexadecimal hash is cut: any other fingerprint is kept whole, so two inputs never
    // look alike
    String shortened =
        HASH.matcher(fingerprint.substring(hash)).matches()
            ? fingerprint.substring(0, hash + 8)
            : fingerprint;
    return shortened.replaceAll("[^A-Za-z0-9:._/-]", "_");
  }

  /** The {@code duplicate_keys} check when a unique index on the key guarantees it. */
  public static CheckResult uniqueIndex(String table, List<String> key, String index) {
    return CheckResult.of(
        CheckResult.TABLE,
        Check.DUPLICATE_KEYS,
        CheckStatus.PASS,
        "the unique index " + index + " on " + key + " keeps the keys of " + table + " unique");
  }

  /** The {@code duplicate_keys} check after a scan of {@code table} found no key twice. */
  public static CheckResult noDuplicateKeys(String table, List<String> key) {
    return CheckResult.of(
        CheckResult.TABLE,
        Check.DUPLICATE_KEYS,
        CheckStatus.PASS,
        "no key " + key + " appears twice in " + table);
  }

  /**
   * The {@code duplicate_keys} check after a scan found {@code keys} keys held by more than one row
   * ({@code extraRows} rows beyond one per key); {@code sample} is the first such key (its values
   * as text), held by {@code sampleRows} rows written by windows {@code firstWindow} to {@code
   * lastWindow}.
   */
  public static CheckResult duplicateKeys(
      String table,
      List<String> key,
      long keys,
      long extraRows,
      List<String> sample,
      long sampleRows,
      String firstWindow,
      String lastWindow) {
    String windows =
        firstWindow.equals(lastWindow)
            ? "all in window " + firstWindow
            : "windows " + firstWindow + (sampleRows == 2 ? " and " : " ... ") + lastWindow;
    return CheckResult.of(
        CheckResult.TABLE,
        Check.DUPLICATE_KEYS,
        CheckStatus.FAIL,
        keys
            + (keys == 1 ? " key appears" : " keys appear")
            + " more than once in "
            + table
            + " ("
            + extraRows
            + " extra row"
            + (extraRows == 1 ? "" : "s")
            + "); e.g. key "
            + key
            + "="
            + sample
            + ": "
            + sampleRows
            + " rows, "
            + windows);
  }

  /**
   * The {@code null_keys} check after a scan of {@code table} found {@code rows} rows with a null
   * in a key column ({@code firstWindow}: the least window that wrote one, or null).
   */
  public static CheckResult nullKeys(
      String table, List<String> key, long rows, String firstWindow) {
    return rows == 0
        ? CheckResult.of(
            CheckResult.TABLE,
            Check.NULL_KEYS,
            CheckStatus.PASS,
            "no row of " + table + " has a null in key " + key)
        : CheckResult.of(
            CheckResult.TABLE,
            Check.NULL_KEYS,
            CheckStatus.FAIL,
            rows(rows)
                + " of "
                + table
                + " "
                + (rows == 1 ? "has" : "have")
                + " a null in key "
                + key
                + (firstWindow == null ? "" : "; the first written by window " + firstWindow));
  }

  private static String rows(long n) {
    return n + (n == 1 ? " row" : " rows");
  }
}
