package dev.idem.cli;

import dev.idem.pipeline.Pipeline;
import dev.idem.run.WindowPlan;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.List;
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

  boolean given() {
    return !windows.isEmpty() || from != null || to != null;
  }

  /**
   * The selected windows; without a selection, every window present in the input ({@link
   * WindowPlan#select}).
   */
  List<Window> select(Pipeline pipeline) {
    return WindowPlan.select(pipeline, windows, from, to);
  }
}
