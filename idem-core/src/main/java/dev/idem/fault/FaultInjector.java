package dev.idem.fault;

import dev.idem.window.Window;

/**
 * Called by the runner at each {@link FaultPoint}. Production uses {@link #NONE}; tests crash the
 * process ({@code Runtime.halt}) or throw {@link SimulatedCrash}. Passed in, never static.
 */
@FunctionalInterface
public interface FaultInjector {
  FaultInjector NONE = (point, window) -> {};

  void reach(FaultPoint point, Window window);
}
