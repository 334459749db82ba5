package dev.idem.run;

import dev.idem.destination.Destination;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a window is a no-op, for one attempt: its ledger row says done with the same definition
 * hash and the same input fingerprint, and the target still holds the rows the ledger says the
 * window wrote. A forced run never skips. The input's fingerprint is computed at most once per
 * attempt, however often the ledger row is looked at.
 */
final class SkipDecision {
  private final Destination destination;
  private final Pipeline pipeline;
  private final Window window;
  private final boolean force;
  private String fingerprint;
  private String reason = "not looked at yet";

  SkipDecision(Destination destination, Pipeline pipeline, Window window, RunOptions options) {
    this.destination = destination;
    this.pipeline = pipeline;
    this.window = window;
    this.force = options.force();
  }

  /** Whether the window, as the ledger row {@code recorded} says, is done and unchanged. */
  boolean unchanged(Optional<WindowState> recorded) {
    if (force || !doneWithSameDefinition(recorded, pipeline)) {
      reason = force ? "forced" : notDone(recorded);
      return false;
    }
    if (fingerprint == null) {
      fingerprint = InputFingerprint.of(pipeline, window, recorded);
    }
    return unchanged(recorded.get(), fingerprint);
  }

  /**
   * Whether {@code recorded} is a load of the same definition and of the input this run sees
   * (whether the target still holds its rows is not asked: a held window done meanwhile is done).
   */
  boolean doneOfThisInput(Optional<WindowState> recorded) {
    if (!doneWithSameDefinition(recorded, pipeline)) {
      return false;
    }
    if (fingerprint == null) {
      fingerprint = InputFingerprint.of(pipeline, window, recorded);
    }
    return fingerprint.equals(recorded.get().fingerprint());
  }

  /** Why the last look found the window not unchanged, for the log. */
  String reason() {
    return reason;
  }

  private String notDone(Optional<WindowState> recorded) {
    if (recorded.isEmpty()) {
      return "never loaded";
    }
    WindowState s = recorded.get();
    return s.status() != WindowStatus.DONE
        ? "its ledger row says " + s.status().name().toLowerCase(Locale.ROOT)
        : "the pipeline definition changed since run " + s.runId();
  }

  static boolean doneWithSameDefinition(Optional<WindowState> state, Pipeline pipeline) {
    return state.isPresent()
        && state.get().status() == WindowStatus.DONE
        && pipeline.definitionHash().equals(state.get().definitionHash());
  }

  /**
   * Same input, and the target still holds the rows the ledger says the window wrote. Another
   * window's commit may move rows (and update this window's recorded count) between the ledger read
   * and the count, so the count is trusted only when the recorded count did not change around it.
   */
  private boolean unchanged(WindowState state, String input) {
    if (!input.equals(state.fingerprint())) {
      reason = "input changed (fingerprint " + state.fingerprint() + " -> " + input + ")";
      return false;
    }
    long recorded = state.counts().targetRows();
    for (int attempt = 0; attempt < 5; attempt++) {
      long actual = destination.rowsInTarget(pipeline, state.windowId());
      Optional<WindowState> after = destination.ledger().state(pipeline.name(), state.windowId());
      if (after.isEmpty() || !input.equals(after.get().fingerprint())) {
        reason = "its ledger row changed while it was looked at";
        return false;
      }
      long recordedAfter = after.get().counts().targetRows();
      if (recordedAfter == recorded) {
        reason = "the target holds " + actual + " of its rows, the ledger says " + recorded;
        return actual == recorded;
      }
      recorded = recordedAfter;
    }
    reason = "its recorded row count kept changing";
    return false;
  }
}
