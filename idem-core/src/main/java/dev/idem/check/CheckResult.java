package dev.idem.check;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The result of one check of one window (or of the whole table, window id {@link #TABLE}), with a
 * one-line detail for people. {@code runId} and {@code checkedAt} say which run or {@code idem
 * check} recorded it; both are null for a result not recorded yet.
 */
public record CheckResult(
    String windowId,
    Check check,
    CheckStatus status,
    String detail,
    String runId,
    Instant checkedAt) {
  /** The window id of table-wide results ({@link Check#DUPLICATE_KEYS}); no window has this id. */
  public static final String TABLE = "*";

  /**
   * Per window in window order, each window's checks in {@link Check} order, table-wide results
   * last.
   */
  public static final Comparator<CheckResult> ORDER =
      Comparator.comparing((CheckResult r) -> r.tableWide())
          .thenComparing(CheckResult::windowId)
          .thenComparing(CheckResult::check);

  public CheckResult {
    Objects.requireNonNull(windowId, "windowId");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  /** A result not recorded yet. */
  public static CheckResult of(String windowId, Check check, CheckStatus status, String detail) {
    return new CheckResult(windowId, check, status, detail, null, null);
  }

  /** This result as recorded by {@code runId} at {@code at}. */
  public CheckResult recorded(String runId, Instant at) {
    return new CheckResult(windowId, check, status, detail, runId, at);
  }

  public boolean tableWide() {
    return TABLE.equals(windowId);
  }

  public boolean failed() {
    return status == CheckStatus.FAIL;
  }
}
