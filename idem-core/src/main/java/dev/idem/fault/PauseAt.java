package dev.idem.fault;

import dev.idem.window.Window;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds the runner the first time it reaches a fault point (optionally only in one window), after
 * saying so on stderr, until the JVM begins to shut down (a SIGTERM or SIGINT arrived) or the pause
 * has passed. Signal tests run idem in a child JVM with the system property {@value #PROPERTY} =
 * {@code POINT[:WINDOW]} (and {@value #MILLIS}, the longest pause) and send the signal once the
 * child says it is pausing: a window is then certainly in progress when the signal arrives, however
 * slow the machine.
 */
public final class PauseAt implements FaultInjector {
  /** The system property the command line reads. */
  public static final String PROPERTY = "idem.fault.pause";

  /** The longest pause, in milliseconds (default 60000). */
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
      CountDownLatch shutdown = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown::countDown, "idem-pause-ends"));
      System.err.println(
          "idem: pausing at "
              + p
              + " in window "
              + window.id()
              + " until a signal, "
              + pause.toMillis()
              + " ms at most ("
              + PROPERTY
              + ")");
      System.err.flush();
      try {
        shutdown.await(pause.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
