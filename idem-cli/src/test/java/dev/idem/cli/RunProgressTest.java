package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ledger.WindowCounts;
import dev.idem.run.WindowOutcome;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.Window;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RunProgressTest {
  private static final Window DAY = Window.batch("2024-03-01");

  /** Read, folded, inserted: 3 = 1 + 2, the rest zero; 2 rows at commit. */
  private static final WindowCounts LOADED = new WindowCounts(3, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 2);

  private static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

  private static WindowOutcome loaded(Window w) {
    return new WindowOutcome(w, WindowOutcome.Result.LOADED, LOADED, 1, "loaded");
  }

  @Test
  void plainModePrintsATimestampedLinePerStagingReportAndPerWindow() {
    StringWriter err = new StringWriter();
    MutableClock clock = new MutableClock(START);
    try (RunProgress progress =
        new RunProgress(
            RunProgress.Style.PLAIN,
            new PrintWriter(err, true),
            UnaryOperator.identity(),
            clock,
            2,
            80)) {
      progress.started(DAY);
      clock.advance(Duration.ofSeconds(1));
      progress.progress(DAY, 100_000);
      clock.advance(Duration.ofSeconds(2));
      progress.finished(loaded(DAY));
    }
    assertThat(err.toString().lines())
        .containsExactly(
            "2024-03-01T00:00:01Z window 2024-03-01: 100,000 rows staged (100,000 rows/s)",
            "2024-03-01T00:00:03Z [1/2] window 2024-03-01 LOADED: read 3, folded 1, inserted 2 (3.00 s)");
  }

  @Test
  void aWindowLineListsOnlyTheNonzeroCountsAndTheMessageWorthShowing() {
    WindowOutcome failed =
        new WindowOutcome(
            DAY,
            WindowOutcome.Result.FAILED,
            WindowCounts.failed(4, 0, 4, 0),
            2,
            "too many bad records: 4 > max_bad_records 0");
    assertThat(RunProgress.line(failed, 3, -1, 1500))
        .isEqualTo(
            "[3] window 2024-03-01 FAILED: read 4, dead-lettered 4 (1.50 s): too many bad records: 4 > max_bad_records 0");
    WindowOutcome unchanged =
        new WindowOutcome(DAY, WindowOutcome.Result.UNCHANGED, WindowCounts.unchanged(2), 1, "x");
    assertThat(RunProgress.line(unchanged, 1, 1, 20))
        .isEqualTo("[1/1] window 2024-03-01 UNCHANGED (0.02 s)");
  }

  @Test
  void everyLineIsMaskedLikeStdout() {
    StringWriter err = new StringWriter();
    try (RunProgress progress =
        new RunProgress(
            RunProgress.Style.PLAIN,
            new PrintWriter(err, true),
            line -> line.replace("hunter2", "***"),
            new MutableClock(START),
            1,
            80)) {
      progress.finished(
          new WindowOutcome(
              DAY,
              WindowOutcome.Result.FAILED,
              WindowCounts.NONE,
              1,
              "cannot connect to postgresql://app:hunter2@db/shop"));
    }
    assertThat(err.toString()).contains("postgresql://app:***@db/shop").doesNotContain("hunter2");
  }

  @Test
  void noneModePrintsNothing() {
    StringWriter err = new StringWriter();
    try (RunProgress progress =
        new RunProgress(
            RunProgress.Style.NONE,
            new PrintWriter(err, true),
            UnaryOperator.identity(),
            new MutableClock(START),
            1,
            80)) {
      progress.started(DAY);
      progress.progress(DAY, 50_000);
      progress.finished(loaded(DAY));
    }
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void onATerminalTheLiveBarShowsWindowsDoneOfTotalUnderTheWindowLinesAndIsClearedAtTheEnd() {
    StringWriter err = new StringWriter();
    Window second = Window.batch("2024-03-02");
    try (RunProgress progress = live(err, 2)) {
      progress.started(DAY);
      progress.finished(loaded(DAY));
      progress.started(second);
      progress.progress(second, 50_000);
    }
    String text = err.toString();
    assertThat(text)
        .contains("[1/2] window 2024-03-01 LOADED: read 3, folded 1, inserted 2 (")
        .contains("1/2") // the bar: windows done of total
        .contains("rows/s")
        .endsWith(CLEARED); // the bar's line is cleared for the result
    // the window line is printed on a cleared line, never in the middle of the bar
    assertThat(text).contains(CLEARED + "[1/2] window 2024-03-01");
  }

  /** What clears the live bar's line: back to its start, the ANSI "erase line", back again. */
  private static final String CLEARED = "\r\u001b[2K\r";

  /** A live bar of {@code total} windows on a terminal 100 columns wide, into {@code err}. */
  private static RunProgress live(StringWriter err, long total) {
    return new RunProgress(
        RunProgress.Style.LIVE,
        new PrintWriter(err, true),
        UnaryOperator.identity(),
        new MutableClock(START),
        total,
        100);
  }

  /**
   * A bar closed at once, maybe before the library's first periodic render (which it then makes,
   * without clearing), still ends cleared: many times over, as the race is the library's threads'.
   */
  @Test
  void aLiveBarClosedAtOnceEndsCleared() {
    for (int i = 0; i < 300; i++) {
      StringWriter err = new StringWriter();
      try (RunProgress progress = live(err, 1)) {
        progress.started(DAY);
      }
      assertThat(err.toString()).as("run %d", i).endsWith(CLEARED);
    }
  }

  @Test
  void aBarRenderedAfterTheBarIsClosedIsNotDrawnSoTheClearedLineStaysClear() {
    StringWriter err = new StringWriter();
    RunProgress.Bar bar = new RunProgress.Bar(new PrintWriter(err, true), 80);
    bar.accept("windows 50% [====    ] 1/2");
    bar.close();
    bar.accept("windows 50% [====    ] 1/2 late"); // a periodic render finishing after the close
    assertThat(err.toString()).doesNotContain("late").endsWith(CLEARED);
  }

  @Test
  void theStyleIsLiveOnlyOnATerminalInAutoModeAndNeverForJson() {
    assertThat(RunProgress.style(DisplayOptions.Progress.auto, true, false))
        .isEqualTo(RunProgress.Style.LIVE);
    assertThat(RunProgress.style(DisplayOptions.Progress.auto, false, false))
        .isEqualTo(RunProgress.Style.PLAIN);
    assertThat(RunProgress.style(DisplayOptions.Progress.auto, true, true))
        .isEqualTo(RunProgress.Style.PLAIN);
    assertThat(RunProgress.style(DisplayOptions.Progress.plain, true, false))
        .isEqualTo(RunProgress.Style.PLAIN);
    assertThat(RunProgress.style(DisplayOptions.Progress.none, true, false))
        .isEqualTo(RunProgress.Style.NONE);
  }
}
