package dev.idem.fault;

import dev.idem.window.Window;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds the runner for a while the first time it reaches a fault point (optionally only in one
 * window), after saying so on stderr. Signal tests run idem in a child JVM with the system
 * property {@value #PROPERTY} = {@code POINT[:WINDOW]} and {@value #MILLIS} = the pause, and send
 * SIGTERM or SIGINT once the child says it is pausing: a window is then certainly in progress.
 */
public final class PauseAt implements FaultInjector {
  /** The system property the command line reads. */
  public static final String PROPERTY = "idem.fault.pause";
  /** How long to pause, in milliseconds (default 3000). */
  public static final String MILLIS = "idem.fault.pause.millis";

  private final HaltAt.Spec spec;
  private final Duration pause;
  private final AtomicBoolean done = new AtomicBoolean();

  public PauseAt(HaltAt.Spec spec, Duration pause) {
    this.spec = spec;
    this.pause = pause;
  }

  @Override
  public void reach(FaultPoint p, Window window) {
    if (spec.matches(p, window) && done.compareAndSet(false, true)) {
      System.err.println("idem: pausing " + pause.toMillis() + " ms at " + p + " in window " + window.id() + " (" + PROPERTY + ")");
      System.err.flush();
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
