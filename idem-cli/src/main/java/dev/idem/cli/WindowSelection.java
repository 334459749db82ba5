package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which windows a command works on: {@code --window W} (repeatable), {@code --from A --to B}, or the input's. */
final class WindowSelection {
  @Option(names = "--window", paramLabel = "W", description = "This window (repeatable), e.g. 2024-03-15. Required for batch windows.")
  List<String> windows = new ArrayList<>();

  @Option(names = "--from", paramLabel = "A", description = "First window of a range (day or hour windows).")
  String from;

  @Option(names = "--to", paramLabel = "B", description = "Last window of a range, included.")
  String to;

  boolean given() {
    return !windows.isEmpty() || from != null || to != null;
  }

  /** The selected windows; without a selection, every window present in the input. */
  List<Window> select(Pipeline pipeline) {
    if (!windows.isEmpty() && (from != null || to != null)) {
      throw new ConfigException("use either --window or --from/--to, not both");
    }
    if ((from == null) != (to == null)) {
      throw new ConfigException("--from and --to go together: give both");
    }
    if (from != null) {
      return pipeline.windows().range(from, to);
    }
    if (!windows.isEmpty()) {
      return windows.stream().map(pipeline.windows()::window).distinct().toList();
    }
    if (pipeline.windows().kind() == WindowKind.OFFSETS) {
      throw new ConfigException("pipeline " + pipeline.name() + " reads a stream, whose windows are planned from the ledger as it loads:"
          + " give one with --window TOPIC-PARTITION@OFFSET (idem status lists them)");
    }
    if (pipeline.windows().kind() == WindowKind.BATCH) {
      throw new ConfigException("pipeline " + pipeline.name() + " has batch windows: give the batch id with --window");
    }
    try {
      return pipeline.source().windows(pipeline.windows());
    } catch (IOException e) {
      throw new TransientException("listing the windows of " + pipeline.source().describe() + ": " + e.getMessage(), e);
    }
  }
}
