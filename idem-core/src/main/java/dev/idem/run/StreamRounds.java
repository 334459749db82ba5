package dev.idem.run;

import dev.idem.destination.Destination;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.source.StreamSource;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A stream run (offsets windows): round after round, {@link WindowPlan#nextRound} plans each
 * partition's next window from the ledger and the scheduler loads them. A window that fails is not
 * offered again in this run (its partition waits for a fix, as with Kafka Connect's {@code
 * errors.tolerance=none}); the others go on. Without {@code follow}, rounds follow each other until
 * one loads nothing new; with it, a round starts once per commit interval, until {@code stop}. In
 * follow mode the report keeps the failures and the last {@value #FOLLOW_REPORT_KEEPS} other
 * outcomes.
 */
final class StreamRounds {
  static final int FOLLOW_REPORT_KEEPS = 1_000;

  private final Destination destination;
  private final Retrier retrier;
  private final WindowScheduler scheduler;
  private final RunListener listener;

  /** The windows that failed in this run: not offered again in it, whatever the pass. */
  private final Set<String> failed = new HashSet<>();

  StreamRounds(
      Destination destination, Retrier retrier, WindowScheduler scheduler, RunListener listener) {
    this.destination = destination;
    this.retrier = retrier;
    this.scheduler = scheduler;
    this.listener = listener;
  }

  /**
   * Runs the rounds of {@code pipeline} (its source bound by {@link WindowPlan#stream}); the
   * outcomes before held windows are settled.
   */
  List<WindowOutcome> run(
      Pipeline pipeline, RunOptions options, StreamOptions stream, HeldWindows held) {
    ArrayDeque<WindowOutcome> recent = new ArrayDeque<>();
    List<WindowOutcome> failures = new ArrayList<>();
    while (!stream.stop().getAsBoolean()) {
      long roundStarted = System.nanoTime();
      List<WindowState> states =
          retrier.call(
              "read the ledger of " + pipeline.name(),
              () -> destination.ledger().states(pipeline.name()));
      List<Window> planned = WindowPlan.nextRound(pipeline, states, failed);
      if (pipeline.source() instanceof StreamSource source) {
        source.lag().forEach(listener::lag);
      }
      List<WindowOutcome> round = scheduler.load(pipeline, planned, options, stream.stop(), held);
      boolean progressed = false;
      for (WindowOutcome o : round) {
        if (o.result() == WindowOutcome.Result.FAILED) {
          failed.add(o.window().id());
          failures.add(o);
          continue;
        }
        progressed |= o.result() == WindowOutcome.Result.LOADED;
        recent.addLast(o);
        if (stream.follow() && recent.size() > FOLLOW_REPORT_KEEPS) {
          recent.removeFirst();
        }
      }
      if (!stream.follow()) {
        if (!progressed) {
          break;
        }
      } else {
        pauseUnlessStopped(stream, roundStarted + stream.commitInterval().toNanos());
      }
    }
    List<WindowOutcome> outcomes = new ArrayList<>(failures);
    outcomes.addAll(recent);
    return outcomes;
  }

  private void pauseUnlessStopped(StreamOptions stream, long until) {
    while (!stream.stop().getAsBoolean() && System.nanoTime() < until) {
      retrier.pause(
          Duration.ofMillis(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000))));
    }
  }
}
