package dev.idem.run;

import dev.idem.destination.Destination;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The windows of one run that another runner held when this one reached them, and how they are
 * settled before the run ends: each is looked at again until none is held or the run's {@link
 * RunOptions#heldWait()} has passed. One that runner has finished counts as done ({@link
 * WindowOutcome.Result#DONE_ELSEWHERE}); any other is loaded here (the claim takes it over if its
 * holder is gone). One instance per run (a stream run: one for all its rounds), so no refusal of an
 * earlier run is mistaken for this one's.
 */
final class HeldWindows {
  /** How often windows held by another runner are looked at again while this run waits for them. */
  static final Duration POLL = Duration.ofMillis(500);

  private final Destination destination;
  private final Retrier retrier;
  private final Owners owners;
  private final WindowLoader loader;

  /**
   * The ledger rows of windows a claim was refused, as they were then: a recheck tells a commit
   * since from a release.
   */
  private final Map<String, WindowState> refused = new ConcurrentHashMap<>();

  HeldWindows(Destination destination, Retrier retrier, Owners owners, WindowLoader loader) {
    this.destination = destination;
    this.retrier = retrier;
    this.owners = owners;
    this.loader = loader;
  }

  /** A claim of {@code window} was refused; {@code state} is its ledger row then. */
  void refused(Window window, WindowState state) {
    refused.put(window.id(), state);
  }

  /**
   * The outcomes with every held window settled as far as the wait allows; no window is looked at
   * once {@code stop} says so.
   */
  List<WindowOutcome> settle(
      Pipeline pipeline, List<WindowOutcome> outcomes, RunOptions options, BooleanSupplier stop) {
    if (outcomes.stream().noneMatch(o -> o.result() == WindowOutcome.Result.HELD)) {
      return outcomes;
    }
    List<WindowOutcome> settled = new ArrayList<>(outcomes);
    // polls counted, not timed, so that the injected sleeper sets the pace (a test's may not sleep)
    long polls = options.heldWait().toMillis() / POLL.toMillis();
    owners.present(
        owner -> {
          for (long poll = 0; ; poll++) {
            boolean held = false;
            for (int i = 0; i < settled.size(); i++) {
              WindowOutcome o = settled.get(i);
              if (o.result() == WindowOutcome.Result.HELD && !stop.getAsBoolean()) {
                settled.set(i, recheck(pipeline, o, options, owner));
              }
              held |= settled.get(i).result() == WindowOutcome.Result.HELD;
            }
            if (!held || poll >= polls || stop.getAsBoolean()) {
              break;
            }
            retrier.pause(POLL);
          }
        });
    return settled;
  }

  /**
   * A held window looked at again. Done since by a load of the same definition and of the input
   * this run sees (its fingerprint; for a forced run: a load that committed since it was refused
   * here, not a runner that found it unchanged): done elsewhere. Otherwise it is loaded here, which
   * takes it over if its holder is gone.
   */
  private WindowOutcome recheck(
      Pipeline pipeline, WindowOutcome held, RunOptions options, String owner) {
    Window window = held.window();
    WindowState then = refused.remove(window.id());
    Optional<WindowState> now =
        retrier.call(
            "read the ledger of window " + window.id(),
            () -> destination.ledger().state(pipeline.name(), window.id()));
    boolean doneElsewhere =
        options.force()
            ? SkipDecision.doneWithSameDefinition(now, pipeline)
                && (then == null || !Objects.equals(then.finishedAt(), now.get().finishedAt()))
            // done by a load of the input this run sees: a runner that read the window before its
            // input changed, and committed it since, did not load it
            : new SkipDecision(destination, pipeline, window, options).doneOfThisInput(now);
    if (doneElsewhere) {
      RunLog.doneElsewhere(window, now.get());
      return new WindowOutcome(
          window,
          WindowOutcome.Result.DONE_ELSEWHERE,
          WindowCounts.unchanged(now.get().counts().targetRows()),
          held.attempts(),
          held.message()
              + "; then done by another runner"
              + (now.get().runId() == null ? "" : " (run " + now.get().runId() + ")"),
          held.timings());
    }
    return loader.load(pipeline, window, options, owner, this);
  }
}
