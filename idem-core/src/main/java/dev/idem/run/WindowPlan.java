package dev.idem.run;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.Source;
import dev.idem.source.StreamSource;
import dev.idem.window.SchedulerTime;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
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
   * The windows chosen by id (duplicates once) or by range; see {@link #select(Pipeline, Choice)}.
   */
  public static List<Window> select(Pipeline pipeline, List<String> ids, String from, String to) {
    return select(pipeline, new Choice(ids, from, to, null, null, null));
  }

  /**
   * What a person or a scheduler chose: window ids, a range {@code from..to} (both included), a
   * data interval {@code [intervalStart, intervalEnd)} (every window overlapping it), or a logical
   * date (the window covering it, when nothing else is chosen and the windows are days or hours).
   * Times are in the forms of {@link SchedulerTime}.
   */
  public record Choice(
      List<String> ids,
      String from,
      String to,
      String intervalStart,
      String intervalEnd,
      String logicalDate) {
    public Choice {
      ids = ids == null ? List.of() : List.copyOf(ids);
    }

    /** Whether windows were chosen (a logical date alone chooses only day or hour windows). */
    public boolean given() {
      return !ids.isEmpty() || from != null || to != null || interval();
    }

    private boolean interval() {
      return intervalStart != null || intervalEnd != null;
    }
  }

  /**
   * The chosen windows (see {@link Choice}); with no choice, every window present in the input. A
   * stream's or a batch pipeline's windows cannot be listed from the input: they must be chosen.
   */
  public static List<Window> select(Pipeline pipeline, Choice c) {
    return chosen(pipeline, c).orElseGet(() -> listed(pipeline));
  }

  /**
   * The windows {@code c} chooses, without listing the input; empty when nothing is chosen and
   * every window present in the input is ({@link #select}). Refuses, as {@code select} does, what
   * cannot be chosen (options that do not go together, a stream's or a batch pipeline's windows
   * unchosen).
   */
  public static Optional<List<Window>> chosen(Pipeline pipeline, Choice c) {
    int ways = (c.ids().isEmpty() ? 0 : 1) + (c.from() != null || c.to() != null ? 1 : 0);
    if (ways + (c.interval() ? 1 : 0) > 1) {
      throw new ConfigException(
          ways > 1
              ? "use either --window or --from/--to, not both"
              : "use one of --window, --from/--to, --data-interval-start/--data-interval-end");
    }
    if ((c.from() == null) != (c.to() == null)) {
      throw new ConfigException("--from and --to go together: give both");
    }
    if ((c.intervalStart() == null) != (c.intervalEnd() == null)) {
      throw new ConfigException(
          "--data-interval-start and --data-interval-end go together: give both");
    }
    WindowSpec spec = pipeline.windows();
    if (c.from() != null) {
      return Optional.of(spec.range(c.from(), c.to()));
    }
    if (!c.ids().isEmpty()) {
      return Optional.of(c.ids().stream().map(spec::window).distinct().toList());
    }
    if (c.interval()) {
      return Optional.of(
          spec.overlapping(
              SchedulerTime.parse("--data-interval-start", c.intervalStart(), spec.zone()),
              SchedulerTime.parse("--data-interval-end", c.intervalEnd(), spec.zone())));
    }
    if (c.logicalDate() != null && spec.timeBased()) {
      return Optional.of(
          List.of(
              spec.covering(SchedulerTime.parse("--logical-date", c.logicalDate(), spec.zone()))));
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
    return Optional.empty();
  }

  /** Every window present in the pipeline's input. */
  public static List<Window> listed(Pipeline pipeline) {
    try {
      return pipeline.source().windows(pipeline.windows());
    } catch (IOException e) {
      throw new TransientException(
          "listing the windows of " + brief(pipeline.source()) + ": " + e.getMessage(), e);
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
          "planning the windows of " + brief(pipeline.source()) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The source named for an error message: the first {@value #BRIEF} characters of its description
   * on one line, so a JDBC source that cannot be reached is one line, not its whole SQL query.
   */
  static String brief(Source source) {
    String d = source.describe().replaceAll("\\s+", " ").strip();
    return d.length() <= BRIEF ? d : d.substring(0, BRIEF - 3) + "...";
  }

  private static final int BRIEF = 60;
}
