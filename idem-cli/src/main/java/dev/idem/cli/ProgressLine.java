package dev.idem.cli;

import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows load progress on stderr: on a terminal one line rewritten in place (rows and rate of the
 * window that last reported); when piped, a plain line per progress report so logs stay readable.
 * Stdout is left to the result (which may be JSON).
 */
final class ProgressLine implements RunListener {
  private final PrintWriter err;
  private final boolean terminal;
  private final Clock clock;
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
  private int shown;

  ProgressLine(PrintWriter err, boolean terminal, Clock clock) {
    this.err = err;
    this.terminal = terminal;
    this.clock = clock;
  }

  @Override
  public void started(Window window) {
    startedAt.put(window.id(), clock.millis());
    if (terminal) {
      show("window " + window.id() + ": reading...");
    }
  }

  @Override
  public void progress(Window window, long rowsStaged) {
    long now = clock.millis();
    long elapsed = Math.max(1, now - startedAt.getOrDefault(window.id(), now));
    long rate = rowsStaged * 1000 / elapsed;
    String text =
        String.format(
            Locale.ROOT, "window %s: %,d rows staged (%,d rows/s)", window.id(), rowsStaged, rate);
    if (terminal) {
      show(text);
    } else {
      synchronized (this) {
        err.println("idem: " + text);
        err.flush();
      }
    }
  }

  @Override
  public void finished(WindowOutcome outcome) {
    startedAt.remove(outcome.window().id());
    if (terminal) {
      show(String.format(Locale.ROOT, "window %s: %s", outcome.window().id(), outcome.label()));
    }
  }

  /** Clears the progress line so the result table starts on a clean line. */
  synchronized void clear() {
    if (terminal && shown > 0) {
      err.print("\r" + " ".repeat(shown) + "\r");
      err.flush();
      shown = 0;
    }
  }

  private synchronized void show(String text) {
    String padded = text.length() < shown ? text + " ".repeat(shown - text.length()) : text;
    err.print("\r" + padded);
    err.flush();
    shown = text.length();
  }
}
