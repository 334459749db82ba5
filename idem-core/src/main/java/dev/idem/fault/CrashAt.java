package dev.idem.fault;

import dev.idem.window.Window;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Crashes (in process) the first time the runner reaches {@code point} in window {@code windowId};
 * records every point reached. Used by {@code idem verify} and by the destination contract suite.
 */
public final class CrashAt implements FaultInjector {
  private final FaultPoint point;
  private final String windowId;
  private final AtomicBoolean fired = new AtomicBoolean();
  private final Set<FaultPoint> reached = ConcurrentHashMap.newKeySet();

  public CrashAt(FaultPoint point, String windowId) {
    this.point = point;
    this.windowId = windowId;
  }

  @Override
  public void reach(FaultPoint p, Window window) {
    reached.add(p);
    if (p == point && window.id().equals(windowId) && fired.compareAndSet(false, true)) {
      throw new SimulatedCrash(p, window.id());
    }
  }

  public boolean fired() {
    return fired.get();
  }

  public Set<FaultPoint> reached() {
    return Set.copyOf(reached);
  }
}
