package dev.idem.run;

import java.util.Comparator;
import java.util.List;

/** The outcome of a run, window by window, sorted by window id. */
public record RunReport(String pipeline, String runId, List<WindowOutcome> outcomes) {
  public RunReport {
    outcomes = outcomes.stream().sorted(Comparator.comparing(WindowOutcome::window)).toList();
  }

  public long count(WindowOutcome.Result result) {
    return outcomes.stream().filter(o -> o.result() == result).count();
  }

  /**
   * Every window is done: loaded, unchanged, or finished by another runner. A held window is not.
   */
  public boolean ok() {
    return notDone() == 0;
  }

  /** Some windows are done and others are not (failed, held by another runner, not started). */
  public boolean partlyFailed() {
    long notDone = notDone();
    return notDone > 0 && notDone < outcomes.size();
  }

  /** Windows not done when the run ended. */
  public long notDone() {
    return outcomes.stream().filter(o -> !o.result().done()).count();
  }
}
