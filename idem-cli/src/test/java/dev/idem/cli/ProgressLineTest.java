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

class ProgressLineTest {
  private static final Window DAY = Window.batch("2024-03-01");

  /** A clock that moves 1 s each time it is read after the start. */
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

  @Test
  void pipedProgressIsPlainLinesWithRowsAndRate() {
    StringWriter err = new StringWriter();
    ProgressLine progress = new ProgressLine(new PrintWriter(err, true), false, ticking());
    progress.started(DAY);
    progress.progress(DAY, 100_000);
    progress.finished(
        new WindowOutcome(DAY, WindowOutcome.Result.LOADED, WindowCounts.NONE, 1, "loaded"));
    progress.clear();
    assertThat(err.toString())
        .isEqualTo(
            "idem: window 2024-03-01: 100,000 rows staged (100,000 rows/s)"
                + System.lineSeparator());
  }

  @Test
  void onATerminalOneLineIsRewrittenAndClearedAtTheEnd() {
    StringWriter err = new StringWriter();
    ProgressLine progress = new ProgressLine(new PrintWriter(err, true), true, ticking());
    progress.started(DAY);
    progress.progress(DAY, 50_000);
    progress.finished(
        new WindowOutcome(DAY, WindowOutcome.Result.LOADED, WindowCounts.NONE, 1, "loaded"));
    progress.clear();
    String text = err.toString();
    assertThat(text)
        .doesNotContain("\n")
        .contains("\rwindow 2024-03-01: 50,000 rows staged")
        .contains("\rwindow 2024-03-01: loaded");
    assertThat(text).endsWith("\r");
  }
}
