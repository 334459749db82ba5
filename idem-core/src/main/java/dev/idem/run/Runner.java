package dev.idem.run;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Loads windows of a pipeline into a destination, each exactly once in effect. For each window:
 * skip it if the ledger says it is done with the same input fingerprint and definition hash and the
 * target still holds its rows; otherwise claim a lease, stage the window through the bulk path,
 * apply the strategy, and commit data and ledger row in one transaction. Transient failures are
 * retried with backoff; data errors fail the window and are never retried.
 *
 * <p>This is the runner's face; each concern has its own class: {@link WindowPlan} (which windows),
 * {@link WindowScheduler} (threads and stop), {@link HeldWindows} (windows another runner held),
 * {@link WindowLoader} and {@link WindowAttempt} (one window, retried), {@link SkipDecision},
 * {@link LeaseRenewal}, {@link WindowLoad} with its {@link BadRecordTally}, and {@link
 * CommitResolution}. Every retry goes through the services' {@link Retrier}.
 */
public final class Runner {
  private final Destination destination;
  private final Retrier retrier;
  private final Owners owners;
  private final WindowLoader loader;
  private final WindowScheduler scheduler;
  private final RunListener listener;

  public Runner(Destination destination, RunServices services, RunListener listener) {
    this.destination = destination;
    this.retrier = services.retrier();
    this.owners = new Owners(destination, services.owner());
    this.loader = new WindowLoader(destination, services, listener, retrier);
    this.scheduler = new WindowScheduler(owners, loader, services.faults());
    this.listener = listener;
  }

  public Runner(Destination destination, RunServices services) {
    this(destination, services, RunListener.NONE);
  }

  /** Refuses a pipeline the destination cannot honour, before any window is touched. */
  public static void checkCapabilities(Pipeline pipeline, Destination destination) {
    Capabilities.check(pipeline, destination);
  }

  /** Loads the given windows (sorted by id); with {@code parallel > 1} several at a time. */
  public RunReport run(Pipeline pipeline, List<Window> windows, RunOptions options) {
    return run(pipeline, windows, options, () -> false);
  }

  /**
   * Loads the given windows until {@code stop} says so: no window starts after that, the ones in
   * progress commit (or roll back if they fail), and the windows never started are reported {@link
   * WindowOutcome.Result#NOT_STARTED}. Windows another runner held are checked again before the run
   * ends, for up to {@link RunOptions#heldWait()}: one that runner finished counts as done ({@link
   * WindowOutcome.Result#DONE_ELSEWHERE}), one it left (it failed, or its runner is gone) is loaded
   * here.
   */
  public RunReport run(
      Pipeline pipeline, List<Window> windows, RunOptions options, BooleanSupplier stop) {
    try (LogContext run = LogContext.run(pipeline.name(), options.runId())) {
      return load(pipeline, windows, options, stop);
    }
  }

  private RunReport load(
      Pipeline pipeline, List<Window> windows, RunOptions options, BooleanSupplier stop) {
    RunLog.planned(pipeline, windows, options);
    prepare(pipeline);
    HeldWindows held = held();
    List<WindowOutcome> outcomes =
        held.settle(
            pipeline, scheduler.load(pipeline, windows, options, stop, held), options, stop);
    Set<Window> reached = new HashSet<>();
    outcomes.forEach(o -> reached.add(o.window()));
    for (Window w : windows) {
      if (reached.add(w)) {
        outcomes.add(
            new WindowOutcome(
                w,
                WindowOutcome.Result.NOT_STARTED,
                WindowCounts.NONE,
                0,
                "not started: the run was asked to stop"));
      }
    }
    return new RunReport(pipeline.name(), options.runId(), outcomes);
  }

  /**
   * Runs a stream pipeline (offsets windows): round after round, the source plans each partition's
   * next window from the ledger and the round loads them. A window that fails is not offered again
   * in this run (its partition waits for a fix, as with Kafka Connect's {@code
   * errors.tolerance=none}); the others go on. Without {@code follow}, rounds follow each other
   * until one loads nothing new; with it, a round starts once per commit interval, until {@code
   * stop}. In follow mode the report keeps the failures and the last {@value
   * StreamRounds#FOLLOW_REPORT_KEEPS} other outcomes.
   */
  public RunReport runStream(Pipeline definition, RunOptions options, StreamOptions stream) {
    Pipeline pipeline = WindowPlan.stream(definition, stream.follow());
    try (LogContext run = LogContext.run(pipeline.name(), options.runId())) {
      prepare(pipeline);
      HeldWindows held = held();
      StreamRounds rounds = new StreamRounds(destination, retrier, scheduler, listener);
      List<WindowOutcome> outcomes = new ArrayList<>();
      while (true) {
        List<WindowOutcome> pass = rounds.run(pipeline, options, stream, held);
        // a window another runner held counts as done once it is (by that runner, or here after
        // taking it over)
        List<WindowOutcome> settled = held.settle(pipeline, pass, options, stream.stop());
        outcomes.addAll(settled);
        // without follow, rounds stopped at the held window of a partition: once it is done, what
        // the topic held past it when the run started is planned in more rounds, or the run would
        // end with it unloaded
        if (stream.follow() || stream.stop().getAsBoolean() || !doneSince(pass, settled)) {
          break;
        }
      }
      return new RunReport(pipeline.name(), options.runId(), outcomes);
    }
  }

  /** Whether settling made a held window of {@code pass} done (loaded, or done elsewhere). */
  private static boolean doneSince(List<WindowOutcome> pass, List<WindowOutcome> settled) {
    for (int i = 0; i < pass.size(); i++) {
      if (pass.get(i).result() == WindowOutcome.Result.HELD
          && settled.get(i).result() != WindowOutcome.Result.HELD
          && settled.get(i).result() != WindowOutcome.Result.FAILED) {
        return true;
      }
    }
    return false;
  }

  /**
   * The window's input fingerprint without loading it: the source's cheap one, or a hash of its
   * records.
   */
  public String fingerprint(Pipeline pipeline, Window window) {
    return InputFingerprint.of(pipeline, window, Optional.empty());
  }

  /**
   * The window's input fingerprint as the skip decision computes it, without a runner or a
   * destination ({@code idem serve}'s stale-input marker): {@code recorded} is its ledger row.
   */
  public static String inputFingerprint(
      Pipeline pipeline, Window window, Optional<WindowState> recorded) {
    return InputFingerprint.of(pipeline, window, recorded);
  }

  private void prepare(Pipeline pipeline) {
    checkCapabilities(pipeline, destination);
    retrier.run("prepare " + destination.describe(), () -> destination.prepare(pipeline));
  }

  /** The held windows of one run: a new record per run, so no run sees another's. */
  private HeldWindows held() {
    return new HeldWindows(destination, retrier, owners, loader);
  }
}
