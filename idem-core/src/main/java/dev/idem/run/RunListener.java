package dev.idem.run;

import dev.idem.window.Window;

/** Progress callbacks, for a terminal's progress line or metrics. Called from runner threads. */
public interface RunListener {
  RunListener NONE = new RunListener() {};

  default void started(Window window) {}

  /** Called every few thousand staged rows. */
  default void progress(Window window, long rowsStaged) {}

  default void finished(WindowOutcome outcome) {}
}
