package dev.idem.run;

import dev.idem.ledger.WindowCounts;
import dev.idem.window.Window;

/** What happened to one window in a run. */
public record WindowOutcome(Window window, Result result, WindowCounts counts, int attempts, String message) {
  public enum Result {
    /** Written and committed with its ledger row. */
    LOADED,
    /** Same input and definition as the ledger's done entry, and the target still holds its rows. */
    UNCHANGED,
    /** Another runner holds a live lease on it (or took it over): not this runner's to write. */
    HELD,
    /** Not loaded; nothing of this attempt was committed. */
    FAILED
  }

  public String label() {
    return result.name().toLowerCase(java.util.Locale.ROOT);
  }
}
