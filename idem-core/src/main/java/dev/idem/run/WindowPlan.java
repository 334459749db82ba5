package dev.idem.run;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.StreamSource;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Which windows a run loads, planned in one place. A batch run loads the windows a person chose
 * ({@code --window W}, repeatable, or {@code --from A --to B}) or, without a choice, every window
 * its input holds. A stream run (offsets windows) is planned round after round from the ledger:
 * each partition's next window starts where its last committed one ended.
 */
public final class WindowPlan {
  private WindowPlan() {}

  /**
   * The chosen windows: by id ({@code ids}, duplicates once) or by range ({@code from} to {@code
   * to}, both included); with neither, every window present in the input. A stream's or a batch
   * pipeline's windows cannot be listed from the input: they must be chosen.
   */
  public static List<Window> select(Pipeline pipeline, List<String> ids, String from, String to) {
    if (!ids.isEmpty() && (from != null || to != null)) {
      throw new ConfigException("use either --window or --from/--to, not both");
    }
    if ((from == null) != (to == null)) {
      throw new ConfigException("--from and --to go together: give both");
    }
    if (from != null) {
      return pipeline.windows().range(from, to);
    }
    if (!ids.isEmpty()) {
      return ids.stream().map(pipeline.windows()::window).distinct().toList();
    }
    if (pipeline.windows().kind() == WindowKind.OFFSETS) {
      throw new ConfigException(
          "pipeline "
              + pipeline.name()
              + " reads a stream, whose windows are planned from the ledger as it loads:"
              + " give one with --window TOPIC-PARTITION@OFFSET (idem status lists them)");
    }
    if (pipeline.windows().kind() == WindowKind.BATCH) {
      throw new ConfigException(
          "pipeline " + pipeline.name() + " has batch windows: give the batch id with --window");
    }
    try {
      return pipeline.source().windows(pipeline.windows());
    } catch (IOException e) {
      throw new TransientException(
          "listing the windows of " + pipeline.source().describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The stream pipeline as a stream run reads it: up to the stream's end as first seen, or
   * following it ({@code follow}). Refuses a pipeline that is not a stream.
   */
  static Pipeline stream(Pipeline definition, boolean follow) {
    if (definition.windows().kind() != WindowKind.OFFSETS
        || !(definition.source() instanceof StreamSource source)) {
      throw new ConfigException(
          "pipeline "
              + definition.name()
              + " is not a stream: it needs a stream source (kafka) and offsets windows");
    }
    return definition.withSource(follow ? source.following() : source.upToNow());
  }

  /**
   * A stream's next round: each partition's next window after what the ledger ({@code states})
   * holds, without the windows that failed earlier in this run (their partitions wait for a fix).
   */
  static List<Window> nextRound(Pipeline pipeline, List<WindowState> states, Set<String> failed) {
    try {
      return pipeline.source().windows(pipeline.windows(), states).stream()
          .filter(w -> !failed.contains(w.id()))
          .toList();
    } catch (IOException e) {
      throw new TransientException(
          "planning the windows of " + pipeline.source().describe() + ": " + e.getMessage(), e);
    }
  }
}
