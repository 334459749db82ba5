package dev.idem.check;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** A check's verdict, from best to worst. Only {@link #FAIL} makes {@code idem check} exit 1. */
public enum CheckStatus {
  PASS,
  WARN,
  FAIL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The worst status of some results; empty when there are none. */
  public static Optional<CheckStatus> worst(Collection<CheckResult> results) {
    return results.stream().map(CheckResult::status).max(Enum::compareTo);
  }
}
