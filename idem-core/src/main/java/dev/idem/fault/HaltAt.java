package dev.idem.fault;

import dev.idem.ConfigException;
import dev.idem.window.Window;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills the process with {@code Runtime.halt} (no shutdown hooks, no finally blocks, no rollback:
 * the same as SIGKILL) the n-th time the runner reaches a fault point, optionally only in one
 * window. Used by crash tests that run idem in a child JVM, through the system property {@value
 * #PROPERTY} = {@code POINT[:WINDOW][@N]}, e.g. {@code after_staging:2024-03-03} or {@code
 * between_windows@2}.
 */
public final class HaltAt implements FaultInjector {
  /** The system property the command line reads. */
  public static final String PROPERTY = "idem.fault.halt";

  /** Exit status of a halted process, so tests can tell it from a failure. */
  public static final int STATUS = 137;

  private final Spec spec;
  private final int nth;
  private final AtomicInteger seen = new AtomicInteger();

  public HaltAt(FaultPoint point, String windowId, int nth) {
    this.spec = new Spec(point, windowId);
    this.nth = nth;
  }

  /** A fault point, and the one window it is reached in ({@code null}: any). */
  public record Spec(FaultPoint point, String windowId) {
    boolean matches(FaultPoint p, Window window) {
      return p == point && (windowId == null || windowId.equals(window.id()));
    }

    /** Parses {@code POINT[:WINDOW]}; {@code property} names the setting in the error. */
    public static Spec parse(String property, String text) {
      int colon = text.indexOf(':');
      String pointName = colon < 0 ? text : text.substring(0, colon);
      try {
        return new Spec(
            FaultPoint.valueOf(pointName.toUpperCase(Locale.ROOT)),
            colon < 0 ? null : text.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            property
                + "="
                + text
                + ": unknown fault point '"
                + pointName
                + "': expected one of "
                + Arrays.toString(FaultPoint.values()));
      }
    }
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
    Spec parsed = Spec.parse(PROPERTY, s);
    return new HaltAt(parsed.point(), parsed.windowId(), nth);
  }

  @Override
  public void reach(FaultPoint p, Window window) {
    if (spec.matches(p, window) && seen.incrementAndGet() == nth) {
      System.err.println(
          "idem: halting at " + p + " in window " + window.id() + " (" + PROPERTY + ")");
      System.err.flush();
      Runtime.getRuntime().halt(STATUS);
    }
  }
}
