package dev.idem.run;

import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.fault.FaultPoint;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.Retrier;
import dev.idem.window.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One attempt at a window: skipped when unchanged (looked at before the claim and again under it,
 * since another runner may finish the window in between); otherwise claimed under a lease, kept
 * alive while the window loads, and confirmed from the ledger once committed. A refused claim is a
 * held window, remembered for the end of the run.
 */
final class WindowAttempt {
  private final Destination destination;
  private final RunServices services;
  private final WindowLoad load;
  private final CommitResolution commits;
  private final RunListener listener;

  WindowAttempt(
      Destination destination, RunServices services, RunListener listener, Retrier retrier) {
    this.destination = destination;
    this.services = services;
    this.listener = listener;
    this.commits = new CommitResolution(destination, retrier, listener);
    this.load = new WindowLoad(destination, services, listener, commits);
  }

  WindowOutcome once(
      Pipeline pipeline,
      Window window,
      RunOptions options,
      String owner,
      HeldWindows held,
      WindowLoader.LastAttempt last) {
    String name = pipeline.name();
    SkipDecision skip = new SkipDecision(destination, pipeline, window, options);
    Optional<WindowState> before = destination.ledger().state(name, window.id());
    if (skip.unchanged(before)) {
      RunLog.skippedUnchanged(window, before.get());
      return unchanged(window, before.get(), last.number);
    }
    RunLog.toLoad(window, skip.reason());
    Optional<Lease> claimed =
        destination.ledger().claim(name, window.id(), owner, services.leaseTtl());
    if (claimed.isEmpty()) {
      Optional<WindowState> holder = destination.ledger().state(name, window.id());
      holder.ifPresent(s -> held.refused(window, s));
      holder.ifPresent(s -> RunLog.held(window, s));
      return new WindowOutcome(
          window,
          WindowOutcome.Result.HELD,
          WindowCounts.NONE,
          last.number,
          "held by " + holder.map(WindowState::owner).orElse("another runner"));
    }
    Lease lease = claimed.get();
    RunLog.claimed(lease);
    Instant began = services.clock().instant();
    last.lease = lease;
    listener.claimed(window, lease);
    last.read = 0;
    last.discarded = 0;
    services.faults().reach(FaultPoint.AFTER_CLAIM, window);
    // Another runner may have finished the window between our look and our claim.
    if (skip.unchanged(Optional.ofNullable(lease.previous()))) {
      destination.ledger().release(lease);
      RunLog.skippedDoneMeanwhile(window, lease.previous());
      return unchanged(window, lease.previous(), last.number);
    }
    RunContext context =
        new RunContext(name, pipeline.version(), window, options.logicalDate(), options.runId());
    try (LeaseRenewal renewal = new LeaseRenewal(destination, services, lease)) {
      WindowCounts counts = load.write(pipeline, window, lease, context, renewal, last);
      services.faults().reach(FaultPoint.AFTER_COMMIT, window);
      WindowState after = commits.confirmed(pipeline, lease);
      RunLog.committed(window, counts, Duration.between(began, services.clock().instant()));
      // a drifted schema is said at run time too, not only in the ledger: dropped columns are never
      // silent
      if (after.token() == lease.token()) {
        listener.recorded(window, after);
      }
      String drift =
          after.schema() == null || after.token() != lease.token() ? null : after.schema().drift();
      return new WindowOutcome(
          window,
          WindowOutcome.Result.LOADED,
          counts,
          last.number,
          drift == null ? "loaded" : "loaded; schema drift: " + drift);
    }
  }

  private WindowOutcome unchanged(Window window, WindowState done, int attempt) {
    listener.recorded(window, done);
    return new WindowOutcome(
        window,
        WindowOutcome.Result.UNCHANGED,
        WindowCounts.unchanged(done.counts().targetRows()),
        attempt,
        "unchanged");
  }
}
