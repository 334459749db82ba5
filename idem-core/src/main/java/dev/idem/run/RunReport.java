package dev.idem.run;

import java.util.List;

/** The outcome of a run, window by window, sorted by window id. */
public record RunReport(String pipeline, String runId, List<WindowOutcome> outcomes) {
  public RunReport {
    outcomes = outcomes.stream().sorted(java.util.Comparator.comparing(WindowOutcome::window)).toList();
  }

  public long count(WindowOutcome.Result result) {
    return outcomes.stream().filter(o -> o.result() == result).count();
  }

  public boolean ok() {
    return count(WindowOutcome.Result.FAILED) == 0;
  }

  /** Some windows failed and others did not. */
  public boolean partlyFailed() {
    long failed = count(WindowOutcome.Result.FAILED);
    return failed > 0 && failed < outcomes.size();
  }
}
