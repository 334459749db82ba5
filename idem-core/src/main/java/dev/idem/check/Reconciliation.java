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
 * recorded: idem updates a window's recorded count whenever one of its own writes moves rows
 * (a later window taking keys over, a replace_table superseding the table), so any difference
 * was made behind its back. And the recorded count stands in the strategy's relation to the
 * window's last load: {@code replace_window} and {@code replace_table} keep exactly the rows of
 * the window after dedup ({@code inserted + updated + unchanged}); {@code merge} keeps at most
 * those (later windows may take keys over); {@code append} holds at least what it inserted and
 * at most that plus what it skipped as existing (a re-load skips the rows it inserted before). A
 * window a later {@code replace_table} window superseded holds no rows.
 *
 * <p>{@code growth} compares a window's rows with the previous observation for the same input
 * fingerprint. Its detail records the observation ({@code N rows for input F}); a failed result
 * keeps the earlier baseline ({@code , B before with the same input}), so the failure stays until
 * the input changes or the rows go away, instead of being accepted by the next check.
 */
public final class Reconciliation {
  private static final Pattern OBSERVED = Pattern.compile("^(\\d+) rows? for input (\\S+?)(?:,|: |$)");
  private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{16,}");
  private static final Pattern BASELINE = Pattern.compile(", (\\d+) before with the same input");

  private Reconciliation() {}

  /**
   * The {@code target_rows} check of a window: {@code actual} rows hold its lineage in the target;
   * the ledger recorded {@code recorded} (its counts of the last load, and the target rows since),
   * with input {@code fingerprint} (null when a later replace_table window superseded it, or it
   * never committed).
   */
  public static CheckResult targetRows(String windowId, WriteStrategy strategy, String fingerprint, WindowCounts recorded, long actual) {
    List<String> failures = new ArrayList<>();
    long ledger = recorded.targetRows();
    if (actual != ledger) {
      failures.add(rows(actual) + " in the target, the ledger recorded " + ledger + ": rows were " + (actual > ledger ? "added" : "deleted")
          + " behind idem's back");
    }
    long kept = recorded.inserted() + recorded.updated() + recorded.unchanged();
    String relation;
    boolean holds;
    if (strategy == WriteStrategy.REPLACE_TABLE && fingerprint == null) {
      holds = actual == 0;
      relation = "a later replace_table window superseded it: expected 0 rows";
    } else {
      switch (strategy) {
        case REPLACE_WINDOW, REPLACE_TABLE -> {
          holds = actual == kept;
          relation = strategy.label() + " keeps exactly the " + kept + " rows of its last load (inserted + updated + unchanged)";
        }
        case MERGE -> {
          holds = actual <= kept;
          relation = "merge keeps at most the " + kept + " rows of its last load (inserted + updated + unchanged; later windows may take keys over)";
        }
        case APPEND -> {
          long most = recorded.inserted() + recorded.skipped();
          holds = actual >= recorded.inserted() && actual <= most;
          relation = "append holds from the " + recorded.inserted() + " rows its last load inserted to " + most + " (inserted + skipped)";
        }
        default -> throw new IllegalStateException("unknown strategy " + strategy);
      }
    }
    if (!holds) {
      failures.add(rows(actual) + ", but " + relation);
    }
    if (failures.isEmpty()) {
      return CheckResult.of(windowId, Check.TARGET_ROWS, CheckStatus.PASS, rows(actual) + " as the ledger recorded; " + relation);
    }
    return CheckResult.of(windowId, Check.TARGET_ROWS, CheckStatus.FAIL, String.join("; ", failures));
  }

  /**
   * The {@code growth} check of a window holding {@code actual} rows for input {@code fingerprint}:
   * compared with the {@code previous} growth result of the window, or, without one, with the
   * {@code recorded} rows of the ledger (which describe the same input).
   */
  public static CheckResult growth(String windowId, Optional<CheckResult> previous, String fingerprint, long actual, long recorded) {
    String input = input(fingerprint);
    String observed = rows(actual) + " for input " + input;
    Optional<Baseline> before = previous.flatMap(Reconciliation::baseline);
    long baseline = before.map(Baseline::rows).orElse(recorded);
    if (before.isPresent() && !before.get().input().equals(input)) {
      return CheckResult.of(windowId, Check.GROWTH, CheckStatus.PASS,
          observed + ": the input changed (" + rows(baseline) + " for input " + before.get().input() + " before)");
    }
    if (actual > baseline) {
      return CheckResult.of(windowId, Check.GROWTH, CheckStatus.FAIL, observed + ", " + baseline
          + " before with the same input: rows were added by another writer, or a load of this window is not idempotent");
    }
    String since = before.isPresent() ? "the previous check" : "its load";
    return CheckResult.of(windowId, Check.GROWTH, CheckStatus.PASS,
        observed + (actual == baseline ? ", as at " + since : ", " + baseline + " at " + since + " (later windows took keys over, or rows were deleted)"));
  }

  /** What a growth result recorded: the rows to compare with next time, and for which input. */
  record Baseline(long rows, String input) {}

  static Optional<Baseline> baseline(CheckResult growth) {
    Matcher m = OBSERVED.matcher(growth.detail());
    if (growth.check() != Check.GROWTH || !m.find()) {
      return Optional.empty();
    }
    long rows = Long.parseLong(m.group(1));
    if (growth.status() == CheckStatus.FAIL) {
      Matcher b = BASELINE.matcher(growth.detail());
      if (b.find()) {
        rows = Long.parseLong(b.group(1));
      }
    }
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
    // only a long hexadecimal hash is cut: any other fingerprint is kept whole, so two inputs never look alike
    String shortened = HASH.matcher(fingerprint.substring(hash)).matches() ? fingerprint.substring(0, hash + 8) : fingerprint;
    return shortened.replaceAll("[^A-Za-z0-9:._/-]", "_");
  }

  /** The {@code duplicate_keys} check when a unique index on the key guarantees it. */
  public static CheckResult uniqueIndex(String table, List<String> key, String index) {
    return CheckResult.of(CheckResult.TABLE, Check.DUPLICATE_KEYS, CheckStatus.PASS,
        "the unique index " + index + " on " + key + " keeps the keys of " + table + " unique");
  }

  /** The {@code duplicate_keys} check after a scan of {@code table} found no key twice. */
  public static CheckResult noDuplicateKeys(String table, List<String> key) {
    return CheckResult.of(CheckResult.TABLE, Check.DUPLICATE_KEYS, CheckStatus.PASS, "no key " + key + " appears twice in " + table);
  }

  /**
   * The {@code duplicate_keys} check after a scan found {@code keys} keys held by more than one
   * row ({@code extraRows} rows beyond one per key); {@code sample} is the first such key (its
   * values as text), held by {@code sampleRows} rows written by windows {@code firstWindow} to
   * {@code lastWindow}.
   */
  public static CheckResult duplicateKeys(String table, List<String> key, long keys, long extraRows, List<String> sample, long sampleRows,
                                          String firstWindow, String lastWindow) {
    String windows = firstWindow.equals(lastWindow) ? "all in window " + firstWindow
        : "windows " + firstWindow + (sampleRows == 2 ? " and " : " ... ") + lastWindow;
    return CheckResult.of(CheckResult.TABLE, Check.DUPLICATE_KEYS, CheckStatus.FAIL,
        keys + (keys == 1 ? " key appears" : " keys appear") + " more than once in " + table + " (" + extraRows + " extra row"
            + (extraRows == 1 ? "" : "s") + "); e.g. key " + key + "=" + sample + ": " + sampleRows + " rows, " + windows);
  }

  private static String rows(long n) {
    return n + (n == 1 ? " row" : " rows");
  }
}
