package dev.idem.cli;

import dev.idem.ledger.WindowCounts;
import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a load while it runs, on stderr: stdout keeps the result, which may be JSON for a program.
 * Each window prints one line as it finishes ({@code [2/5] window 2024-05-02 LOADED: read 3,
 * inserted 2 (0.21 s)}), so a follow run prints each committed window. On a terminal a live bar
 * drawn by me.tongfei:progressbar stays under those lines (windows done of total, percent, elapsed,
 * ETA, rows and rows/s); elsewhere (CI, schedulers, files) every line starts with a UTC timestamp,
 * and a large window also prints its rows staged every few thousand rows.
 */
final class RunProgress implements RunListener, AutoCloseable {
  /** How the progress is shown. */
  enum Style {
    /** A live bar on a terminal, window lines above it. */
    LIVE,
    /** Timestamped lines. */
    PLAIN,
    /** Nothing. */
    NONE
  }

  private final Style style;
  private final PrintWriter err;
  private final UnaryOperator<String> mask;
  private final Clock clock;
  private final long total;
  private final long runStart;
  private final ProgressBar bar;

  /** The live bar's output (null but for {@link Style#LIVE}). */
  private final Bar line;

  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> staged = new ConcurrentHashMap<>();
  private long rowsRead;
  private int finished;

  /**
   * {@code total} is the number of windows the run will load, or -1 when it is not known (a stream
   * run plans its windows as it goes); {@code width} the terminal's columns for the live bar;
   * {@code mask} hides the values that came from the environment in every line (a window's message
   * may quote a connection string).
   */
  RunProgress(
      Style style,
      PrintWriter err,
      UnaryOperator<String> mask,
      Clock clock,
      long total,
      int width) {
    this.style = style;
    this.err = err;
    this.mask = mask;
    this.clock = clock;
    this.total = total;
    this.runStart = clock.millis();
    this.line = style == Style.LIVE ? new Bar(err, width) : null;
    this.bar =
        style == Style.LIVE
            ? new ProgressBarBuilder()
                .setTaskName("windows")
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate() // so that refresh() draws the bar at once, under a new line
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setConsumer(line)
                .clearDisplayOnFinish()
                .build()
            : null;
  }

  /** The style for the command line's choice: live only on a terminal, never for JSON output. */
  static Style style(DisplayOptions.Progress mode, boolean terminal, boolean json) {
    return switch (mode) {
      case none -> Style.NONE;
      case plain -> Style.PLAIN;
      case auto -> terminal && !json ? Style.LIVE : Style.PLAIN;
    };
  }

  @Override
  public void started(Window window) {
    startedAt.put(window.id(), clock.millis());
  }

  @Override
  public void progress(Window window, long rowsStaged) {
    staged.put(window.id(), rowsStaged);
    if (style == Style.PLAIN) {
      long now = clock.millis();
      long elapsed = Math.max(1, now - startedAt.getOrDefault(window.id(), now));
      print(
          String.format(
              Locale.ROOT,
              "window %s: %,d rows staged (%,d rows/s)",
              window.id(),
              rowsStaged,
              rowsStaged * 1000 / elapsed));
    } else if (bar != null) {
      bar.setExtraMessage(rows());
    }
  }

  @Override
  public void finished(WindowOutcome outcome) {
    String id = outcome.window().id();
    long now = clock.millis();
    long took = now - startedAt.getOrDefault(id, now);
    startedAt.remove(id);
    staged.remove(id);
    int n;
    synchronized (this) {
      rowsRead += outcome.counts().read();
      n = outcome.result() == WindowOutcome.Result.HELD ? finished : ++finished;
    }
    if (bar != null) {
      bar.stepTo(n);
      bar.setExtraMessage(rows());
    }
    print(line(outcome, n, total, took));
  }

  /**
   * A finished window's line: its place in the run, id, result, nonzero counts, time and message.
   */
  static String line(WindowOutcome o, int n, long total, long millis) {
    List<String> counts = new ArrayList<>();
    if (ReportView.counted(o)) {
      WindowCounts c = o.counts();
      if (c.read() != 0) {
        counts.add("read " + c.read());
      }
      for (ReportView.Count count : ReportView.OUTCOMES) {
        long v = count.value().applyAsLong(c);
        if (v != 0) {
          counts.add(count.name() + " " + v);
        }
      }
    }
    String message = ReportView.message(o);
    return String.format(
        Locale.ROOT,
        "[%s] window %s %s%s (%.2f s)%s",
        total < 0 ? String.valueOf(n) : n + "/" + total,
        o.window().id(),
        o.result().name(),
        counts.isEmpty() ? "" : ": " + String.join(", ", counts),
        millis / 1000.0,
        message.isEmpty() ? "" : ": " + message);
  }

  /**
   * Rows read so far, finished windows and the staged rows of the ones in progress, and the rate.
   */
  private String rows() {
    long rows;
    synchronized (this) {
      rows = rowsRead;
    }
    for (long s : staged.values()) {
      rows += s;
    }
    long elapsed = Math.max(1, clock.millis() - runStart);
    return String.format(Locale.ROOT, "%,d rows, %,d rows/s", rows, rows * 1000 / elapsed);
  }

  private void print(String line) {
    String text = mask.apply(line);
    switch (style) {
      case NONE -> {}
      case PLAIN -> {
        String at = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        synchronized (err) {
          err.println(at + " " + text);
          err.flush();
        }
      }
      case LIVE -> {
        synchronized (err) {
          // the line goes above the bar: the bar's line is cleared, and drawn again under it
          Bar.clear(err);
          err.println(text);
          err.flush();
        }
        bar.refresh();
      }
    }
  }

  /** Ends the live bar and clears its line, so the result starts on a clean line. */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      // the library clears and closes its output only if its periodic render ran once before
      // (a bar closed sooner renders once more and leaves it): the line is cleared here, last
      line.close();
    }
  }

  /**
   * The live bar's output: one line of stderr, drawn again in place. Once closed it draws nothing:
   * the library's closing render and a periodic render still under way may run on two of its
   * threads, and a bar drawn after the closing clear would be left in front of the result. Closing
   * it again clears the line again.
   */
  static final class Bar implements ProgressBarConsumer {
    private final PrintWriter err;
    private final int width;
    private boolean closed; // guarded by err

    Bar(PrintWriter err, int width) {
      this.err = err;
      this.width = width;
    }

    @Override
    public int getMaxRenderedLength() {
      return width;
    }

    @Override
    public void accept(String rendered) {
      synchronized (err) {
        if (closed) {
          return;
        }
        clear(err);
        err.print(rendered);
        err.flush();
      }
    }

    @Override
    public void clear() {
      synchronized (err) {
        clear(err);
        err.flush();
      }
    }

    /** Erases the current line: back to its start, the ANSI "erase line", back again. */
    static void clear(PrintWriter err) {
      err.print("\r\u001b[2K\r");
    }

    @Override
    public void close() {
      synchronized (err) {
        closed = true;
        clear(err);
        err.flush();
      }
    }
  }
}
