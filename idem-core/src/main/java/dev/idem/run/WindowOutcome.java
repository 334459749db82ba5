package dev.idem.run;

import dev.idem.ledger.WindowCounts;
import dev.idem.window.Window;
import java.util.Locale;

/** What happened to one window in a run, and how long it took ({@link WindowTimings}). */
public record WindowOutcome(
    Window window,
    Result result,
    WindowCounts counts,
    int attempts,
    String message,
    WindowTimings timings) {
  public WindowOutcome {
    timings = timings == null ? WindowTimings.NONE : timings;
  }

  /** An outcome not timed (yet): {@link WindowTimings#NONE}. */
  public WindowOutcome(
      Window window, Result result, WindowCounts counts, int attempts, String message) {
    this(window, result, counts, attempts, message, WindowTimings.NONE);
  }

  /** This outcome with {@code timings}. */
  public WindowOutcome withTimings(WindowTimings timings) {
    return new WindowOutcome(window, result, counts, attempts, message, timings);
  }

  public enum Result {
    /** Written and committed with its ledger row. */
    LOADED,
    /**
     * Same input and definition as the ledger's done entry, and the target still holds its rows.
     */
    UNCHANGED,
    /**
     * Another runner held it when this run reached it and has finished it since: done, by that
     * runner's commit.
     */
    DONE_ELSEWHERE,
    /**
     * Another runner still holds a live lease on it (or took it over) when this run ends: not done,
     * as far as this run knows.
     */
    HELD,
    /** Not loaded; nothing of this attempt was committed. */
    FAILED,
    /** The run was asked to stop (SIGTERM, Ctrl-C) before it started this window. */
    NOT_STARTED;

    /**
     * Whether the window is done when the run ends: loaded, unchanged, or finished by another
     * runner.
     */
    public boolean done() {
      return this == LOADED || this == UNCHANGED || this == DONE_ELSEWHERE;
    }
  }

  public String label() {
    return result.name().toLowerCase(Locale.ROOT);
  }
}
