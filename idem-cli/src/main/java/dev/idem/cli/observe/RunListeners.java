package dev.idem.cli.observe;

import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowState;
import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.source.PartitionLag;
import dev.idem.window.Window;
import java.util.List;

/** Several listeners as one, called in order. */
public final class RunListeners implements RunListener {
  private final List<RunListener> all;

  RunListeners(List<RunListener> all) {
    this.all = List.copyOf(all);
  }

  /** {@code first}, then {@code second}. */
  public static RunListener of(RunListener first, RunListener second) {
    if (second == RunListener.NONE) {
      return first;
    }
    return new RunListeners(List.of(first, second));
  }

  @Override
  public void started(Window window) {
    all.forEach(l -> l.started(window));
  }

  @Override
  public void progress(Window window, long rowsStaged) {
    all.forEach(l -> l.progress(window, rowsStaged));
  }

  @Override
  public void claimed(Window window, Lease lease) {
    all.forEach(l -> l.claimed(window, lease));
  }

  @Override
  public void retrying(Window window, int attempt, Exception cause) {
    all.forEach(l -> l.retrying(window, attempt, cause));
  }

  @Override
  public void commitResolved(Window window, boolean committed) {
    all.forEach(l -> l.commitResolved(window, committed));
  }

  @Override
  public void recorded(Window window, WindowState state) {
    all.forEach(l -> l.recorded(window, state));
  }

  @Override
  public void finished(WindowOutcome outcome) {
    all.forEach(l -> l.finished(outcome));
  }

  @Override
  public void lag(PartitionLag lag) {
    all.forEach(l -> l.lag(lag));
  }
}
