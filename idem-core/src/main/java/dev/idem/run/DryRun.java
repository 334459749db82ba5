package dev.idem.run;

import dev.idem.ConfigException;
import dev.idem.destination.Destination;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a run would do with each window, and why, decided from the ledger, the input and the target
 * as the runner decides it, without writing anything: no claim, no ledger or table created, no
 * prepare. A window would load (never loaded, failed before, input or definition changed, target
 * rows changed, forced, a stale lease to take over), be skipped (unchanged), or be refused (another
 * live runner holds it; the destination cannot do what the pipeline asks). It is a prediction: a
 * runner may claim or finish a window between the plan and the run.
 */
public final class DryRun {
  /** What a run would do with a window. */
  public enum Action {
    LOAD,
    SKIP,
    REFUSE
  }

  /** One window of the plan; {@code ledger} is its ledger row, if it has one. */
  public record Planned(
      Window window, Action action, String reason, Optional<WindowState> ledger) {}

  private DryRun() {}

  /**
   * The plan of {@code windows} on a destination that exists; reads the ledger (which must exist
   * when the destination does), fingerprints the input of windows done before, and counts their
   * rows in the target.
   */
  public static List<Planned> plan(
      Destination destination,
      Pipeline pipeline,
      List<Window> windows,
      RunOptions options,
      Instant now) {
    try {
      Capabilities.check(pipeline, destination);
    } catch (ConfigException e) {
      return every(windows, Action.REFUSE, "refused: " + e.getMessage());
    }
    List<Planned> plan = new ArrayList<>();
    for (Window w : windows.stream().sorted().toList()) {
      Optional<WindowState> state = destination.ledger().state(pipeline.name(), w.id());
      plan.add(decide(destination, pipeline, w, state, options, now));
    }
    return plan;
  }

  /** Every window with the same action and reason (a destination that does not exist yet). */
  public static List<Planned> every(List<Window> windows, Action action, String reason) {
    return windows.stream()
        .sorted()
        .map(w -> new Planned(w, action, reason, Optional.<WindowState>empty()))
        .toList();
  }

  private static Planned decide(
      Destination destination,
      Pipeline pipeline,
      Window w,
      Optional<WindowState> state,
      RunOptions options,
      Instant now) {
    if (state.isEmpty()) {
      return new Planned(w, Action.LOAD, "never loaded", state);
    }
    WindowState s = state.get();
    if (s.status() == WindowStatus.RUNNING) {
      boolean alive = destination.ledger().alive(s.owner());
      if (!s.stale(now) && alive) {
        return new Planned(
            w,
            Action.REFUSE,
            "held by " + s.owner() + " (lease until " + s.leaseExpires() + ")",
            state);
      }
      return new Planned(
          w,
          Action.LOAD,
          "takes over from "
              + s.owner()
              + (alive ? ", whose lease expired at " + s.leaseExpires() : ", whose runner is gone"),
          state);
    }
    if (s.status() == WindowStatus.FAILED) {
      return new Planned(
          w, Action.LOAD, "failed before" + (s.error() == null ? "" : ": " + s.error()), state);
    }
    if (options.force()) {
      return new Planned(w, Action.LOAD, "forced (--force)", state);
    }
    if (!SkipDecision.doneWithSameDefinition(state, pipeline)) {
      return new Planned(w, Action.LOAD, "the pipeline definition changed", state);
    }
    if (!InputFingerprint.of(pipeline, w, state).equals(s.fingerprint())) {
      return new Planned(w, Action.LOAD, "the input changed", state);
    }
    long rows = destination.rowsInTarget(pipeline, w.id());
    if (rows != s.counts().targetRows()) {
      return new Planned(
          w,
          Action.LOAD,
          "the target holds "
              + rows
              + " rows of it where the ledger says "
              + s.counts().targetRows(),
          state);
    }
    return new Planned(w, Action.SKIP, "unchanged (same input, same definition)", state);
  }
}
