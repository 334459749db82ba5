package dev.idem.verify;

/** One check of a verification: its name, verdict, and what a person needs to know about it. */
public record CheckResult(String check, Verdict verdict, String detail, long millis) {
  public enum Verdict {
    PASS,
    FAIL,
    SKIPPED
  }

  public boolean failed() {
    return verdict == Verdict.FAIL;
  }
}
