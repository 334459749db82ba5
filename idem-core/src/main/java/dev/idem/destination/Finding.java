package dev.idem.destination;

import java.util.Objects;

/**
 * One thing {@code idem doctor} found that a killed or stalled process left behind: its {@code
 * kind} (a stable snake_case word: {@code stale_lease}, {@code failed_window}, {@code
 * idle_transaction}, {@code orphan_verify_database}, {@code ledger_outdated}, ... and, for
 * transactional streams, {@code lingering_transaction}), its {@code subject} (a window id, a pid, a
 * database or transactional id), a one-line {@code description} a person can act on, and the {@link
 * Fix} that resolves it, when the destination can resolve it without a load.
 *
 * <p>A fix acts only on the state that was found: it is fenced (a lease is released only under the
 * token and expiry that were read) or time-bounded (a session is ended only while it is still idle
 * since the moment that was read), so a runner that came back to life meanwhile is never disturbed;
 * it then reports that it left the subject alone.
 */
public record Finding(String kind, String subject, String description, Fix fix) {
  public Finding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(description, "description");
  }

  /** A finding to report only: nothing but a load, or a person, can resolve it. */
  public static Finding report(String kind, String subject, String description) {
    return new Finding(kind, subject, description, null);
  }

  /** A finding that {@code fix} resolves. */
  public static Finding fixable(String kind, String subject, String description, Fix fix) {
    return new Finding(kind, subject, description, Objects.requireNonNull(fix, "fix"));
  }

  public boolean fixable() {
    return fix != null;
  }

  /** Resolves a finding; only {@code idem doctor --fix} calls it. */
  @FunctionalInterface
  public interface Fix {
    /**
     * Applies the fix and says in one line what was done, or that the subject was left alone
     * because it no longer is as found (a fenced fix that lost the race is not a failure). Throws
     * {@link dev.idem.IdemException} when the fix could not be applied (a permission missing).
     */
    String apply();
  }
}
