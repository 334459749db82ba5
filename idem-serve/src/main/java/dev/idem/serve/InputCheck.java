package dev.idem.serve;

import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.Runner;
import dev.idem.window.WindowKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a done window's input changed since its load (stale input): its input is fingerprinted
 * again by the runner's own code ({@link Runner#inputFingerprint}: a file's size and SHA-256, or a
 * hash of its records) and compared with the fingerprint its ledger row recorded. It only reads the
 * input, never the destination, and stops waiting at a time limit: windows not reached by then are
 * "not checked". Stream windows (offset ranges) cannot change and are not checked.
 */
final class InputCheck implements AutoCloseable {
  /** What was found for one window; {@code detail} is the new fingerprint or why there is none. */
  record Result(String state, String detail) {
    static final String UNCHANGED = "unchanged";
    static final String CHANGED = "changed";
    static final String NOT_CHECKED = "not checked";
    static final String UNREADABLE = "unreadable";
  }

  /** The results by window id, and whether the time limit cut the check short. */
  record Outcome(Map<String, Result> byWindow, boolean cut, Duration limit) {
    static final Outcome NONE = new Outcome(Map.of(), false, Duration.ZERO);

    /** A window's result; a window not reached (or not checkable) is {@code not checked}. */
    Result of(WindowState s) {
      Result r = byWindow.get(s.windowId());
      if (r != null) {
        return r;
      }
      return new Result(
          Result.NOT_CHECKED, checkable(s) && cut ? "time limit of " + seconds(limit) : "");
    }

    long changed() {
      return byWindow.values().stream().filter(r -> r.state().equals(Result.CHANGED)).count();
    }
  }

  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "idem-serve-input");
            t.setDaemon(true);
            return t;
          });

  /**
   * Fingerprints the input of {@code states}' done windows, in order, for at most {@code limit}.
   */
  Outcome check(ServedPipeline p, List<WindowState> states, Duration limit) {
    if (!p.readable()
        || p.pipeline().windows().kind() == WindowKind.OFFSETS
        || states.stream().noneMatch(InputCheck::checkable)) {
      return Outcome.NONE;
    }
    Map<String, Result> results = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Future<?> task = executor.submit(() -> fingerprint(p.pipeline(), states, results, stop));
    try {
      task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return new Outcome(Map.copyOf(results), false, limit);
    } catch (TimeoutException e) {
      stop.set(true);
      // what was checked in time, taken before the interrupt: an input read cut short by it
      // (whatever it then returns or throws) is "not checked", never a result
      Map<String, Result> inTime = Map.copyOf(results);
      task.cancel(true);
      return new Outcome(inTime, true, limit);
    } catch (ExecutionException e) {
      return new Outcome(Map.copyOf(results), false, limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(Map.copyOf(results), true, limit);
    }
  }

  private static void fingerprint(
      Pipeline pipeline,
      List<WindowState> states,
      Map<String, Result> results,
      AtomicBoolean stop) {
    for (WindowState s : states) {
      if (stop.get()) {
        return;
      }
      if (!checkable(s)) {
        continue;
      }
      try {
        String now =
            Runner.inputFingerprint(
                pipeline, pipeline.windows().window(s.windowId()), Optional.of(s));
        results.put(
            s.windowId(),
            now.equals(s.fingerprint())
                ? new Result(Result.UNCHANGED, now)
                : new Result(Result.CHANGED, now));
      } catch (RuntimeException e) { // an input that cannot be read now is the cell's message
        results.put(s.windowId(), new Result(Result.UNREADABLE, Inspection.oneLine(e)));
      }
    }
  }

  /** Only a done window with a recorded fingerprint can be compared with its input. */
  static boolean checkable(WindowState s) {
    return s.status() == WindowStatus.DONE && s.fingerprint() != null;
  }

  /** How long ago the window's fingerprint was recorded (its load finished), or null. */
  static Duration age(WindowState s, Instant now) {
    return s.finishedAt() == null || s.fingerprint() == null
        ? null
        : Duration.between(s.finishedAt(), now);
  }

  /** An age for a person: {@code 3 d 4 h}, {@code 2 h 5 min}, {@code 40 s}. */
  static String ageText(Duration d) {
    if (d == null) {
      return "";
    }
    long s = Math.max(0, d.toSeconds());
    if (s >= 86_400) {
      return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
    }
    if (s >= 3600) {
      return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
    return s >= 60 ? s / 60 + " min" : s + " s";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
