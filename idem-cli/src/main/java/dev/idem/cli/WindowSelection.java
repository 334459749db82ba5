package dev.idem.cli;

import dev.idem.pipeline.Pipeline;
import dev.idem.run.WindowPlan;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options that choose which windows a command works on: {@code --window W} (repeatable), {@code
 * --from A --to B}, or the input's. The choice is planned by core's {@link WindowPlan}.
 */
final class WindowSelection {
  @Option(
      names = "--window",
      paramLabel = "W",
      description = "This window (repeatable), e.g. 2024-03-15. Required for batch windows.")
  List<String> windows = new ArrayList<>();

  @Option(
      names = "--from",
      paramLabel = "A",
      description = "First window of a range (day or hour windows).")
  String from;

  @Option(names = "--to", paramLabel = "B", description = "Last window of a range, included.")
  String to;

  @Option(
      names = "--data-interval-start",
      paramLabel = "TIME",
      description = {
        "With --data-interval-end: every day or hour window overlapping [start, end), as a scheduler",
        "passes it (Airflow's data_interval_start, e.g. 2024-05-01T00:00:00+00:00)."
      })
  String intervalStart;

  @Option(
      names = "--data-interval-end",
      paramLabel = "TIME",
      description = "End of the data interval, excluded (Airflow's data_interval_end).")
  String intervalEnd;

  boolean given() {
    return choice(null).given();
  }

  /**
   * The selected windows; without a selection, every window present in the input ({@link
   * WindowPlan#select}).
   */
  List<Window> select(Pipeline pipeline) {
    return select(pipeline, null);
  }

  /**
   * The selected windows; without a selection, the day or hour window covering {@code logicalDate}
   * when it is given, else every window present in the input.
   */
  List<Window> select(Pipeline pipeline, String logicalDate) {
    return WindowPlan.select(pipeline, choice(logicalDate));
  }

  /**
   * The selected windows, without listing the input; empty when every window present in the input
   * is ({@link WindowPlan#chosen}).
   */
  Optional<List<Window>> chosen(Pipeline pipeline, String logicalDate) {
    return WindowPlan.chosen(pipeline, choice(logicalDate));
  }

  private WindowPlan.Choice choice(String logicalDate) {
    return new WindowPlan.Choice(windows, from, to, intervalStart, intervalEnd, logicalDate);
  }
}
