package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ledger.WindowCounts;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RunProgressTest {
  private static final Window DAY = Window.batch("2024-03-01");

  /** Read, folded, inserted: 3 = 1 + 2, the rest zero; 2 rows at commit. */
  private static final WindowCounts LOADED = new WindowCounts(3, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 2);

  /** A clock that moves 1 s each time it is read. */
  private static Clock ticking() {
    return new Clock() {
      private Instant now = Instant.parse("2024-03-01T00:00:00Z");

      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        Instant t = now;
        now = now.plus(Duration.ofSeconds(1));
        return t;
      }
    };
  }

  private static WindowOutcome loaded(Window w) {
    return new WindowOutcome(w, WindowOutcome.Result.LOADED, LOADED, 1, "loaded");
  }

  @Test
  void plainModePrintsATimestampedLinePerStagingReportAndPerWindow() {
    StringWriter err = new StringWriter();
    try (RunProgress progress =
        new RunProgress(RunProgress.Style.PLAIN, new PrintWriter(err, true), ticking(), 2, 80)) {
      progress.started(DAY); // clock read at 0 s (and 1 s by the constructor before it)
      progress.progress(DAY, 100_000);
      progress.finished(loaded(DAY));
    }
    // the constructor reads the clock at 0 s, started at 1 s, progress at 2 s and prints at 3 s
    assertThat(err.toString().lines())
        .containsExactly(
            "2024-03-01T00:00:03Z window 2024-03-01: 100,000 rows staged (100,000 rows/s)",
            "2024-03-01T00:00:05Z [1/2] window 2024-03-01 LOADED: read 3, folded 1, inserted 2 (3.00 s)");
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
  void noneModePrintsNothing() {
    StringWriter err = new StringWriter();
    try (RunProgress progress =
        new RunProgress(RunProgress.Style.NONE, new PrintWriter(err, true), ticking(), 1, 80)) {
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
    try (RunProgress progress =
        new RunProgress(RunProgress.Style.LIVE, new PrintWriter(err, true), ticking(), 2, 100)) {
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
        .endsWith("\r\u001b[2K\r"); // the bar's line is cleared for the result
    // the window line is printed on a cleared line, never in the middle of the bar
    assertThat(text).contains("\r\u001b[2K\r[1/2] window 2024-03-01");
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
