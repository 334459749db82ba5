package dev.idem.fault;

import dev.idem.ConfigException;
import dev.idem.window.Window;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills the process with {@code Runtime.halt} (no shutdown hooks, no finally blocks, no
 * rollback: the same as SIGKILL) the n-th time the runner reaches a fault point, optionally only
 * in one window. Used by crash tests that run idem in a child JVM, through the system property
 * {@value #PROPERTY} = {@code POINT[:WINDOW][@N]}, e.g. {@code after_staging:2024-03-03} or
 * {@code between_windows@2}.
 */
public final class HaltAt implements FaultInjector {
  /** The system property the command line reads. */
  public static final String PROPERTY = "idem.fault.halt";
  /** Exit status of a halted process, so tests can tell it from a failure. */
  public static final int STATUS = 137;

  private final FaultPoint point;
  private final String windowId;
  private final int nth;
  private final AtomicInteger seen = new AtomicInteger();

  public HaltAt(FaultPoint point, String windowId, int nth) {
    this.point = point;
    this.windowId = windowId;
    this.nth = nth;
  }

  /** Parses {@code POINT[:WINDOW][@N]}. */
  public static HaltAt parse(String spec) {
    String s = spec.trim();
    int nth = 1;
    int at = s.lastIndexOf('@');
    if (at > 0) {
      nth = Integer.parseInt(s.substring(at + 1));
      s = s.substring(0, at);
    }
    int colon = s.indexOf(':');
    String pointName = colon < 0 ? s : s.substring(0, colon);
    try {
      FaultPoint p = FaultPoint.valueOf(pointName.toUpperCase(Locale.ROOT));
      return new HaltAt(p, colon < 0 ? null : s.substring(colon + 1), nth);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(PROPERTY + "=" + spec + ": unknown fault point '" + pointName + "': expected one of " + java.util.Arrays.toString(FaultPoint.values()));
    }
  }

  @Override
  public void reach(FaultPoint p, Window window) {
    if (p == point && (windowId == null || windowId.equals(window.id())) && seen.incrementAndGet() == nth) {
      System.err.println("idem: halting at " + p + " in window " + window.id() + " (" + PROPERTY + ")");
      System.err.flush();
      Runtime.getRuntime().halt(STATUS);
    }
  }
}
