package dev.idem.check;

import java.util.Locale;
import java.util.Optional;

/**
 * The reconciliation checks idem runs on a pipeline's target, by the name recorded in the ledger's
 * {@code _idem.checks} table. {@link #TARGET_ROWS} and {@link #GROWTH} are per window; {@link
 * #DUPLICATE_KEYS} is table-wide (recorded under the window id {@link CheckResult#TABLE}).
 */
public enum Check {
  /**
   * The rows the target holds for a window agree with the ledger and with the strategy's relation
   * to the rows read.
   */
  TARGET_ROWS,
  /** A window's rows did not grow while its input stayed the same. */
  GROWTH,
  /** No key appears more than once in the target, whoever wrote the rows. */
  DUPLICATE_KEYS,
  /**
   * No row of the target has a null in a key column. Table-wide, computed by read-only spot-checks
   * ({@code idem serve}); {@code idem check} does not record it.
   */
  NULL_KEYS;

  /**
   * The name in the ledger and in output: {@code target_rows}, {@code growth}, {@code
   * duplicate_keys}, {@code null_keys}.
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The check named {@code label}; empty for a name this idem does not know (written by a newer
   * one).
   */
  public static Optional<Check> of(String label) {
    for (Check c : values()) {
      if (c.label().equals(label)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
