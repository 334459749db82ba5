package dev.idem.jdbc;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * COMMITs whose reply was lost and whose outcome the server answered by transaction id, by answer.
 */
final class UnknownCommits {
  /** [committed, aborted]. */
  private final AtomicLongArray resolved = new AtomicLongArray(2);

  void note(boolean committed) {
    resolved.incrementAndGet(committed ? 0 : 1);
  }

  long resolved(boolean committed) {
    return resolved.get(committed ? 0 : 1);
  }
}
