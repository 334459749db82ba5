package dev.idem.serve;

import dev.idem.check.CheckResult;
import dev.idem.context.RunServices;
import dev.idem.destination.SupportsChecks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code idem check}'s checks run on demand against a destination opened read-only, recording
 * nothing, within a time limit. A check still running at the limit is left to finish in the
 * background (it only reads) and the page says it was cut; its destination closes when it ends.
 */
final class SpotCheck implements AutoCloseable {
  /** The results, or why there are none; {@code millis} is how long the checks took. */
  record Outcome(List<CheckResult> results, long millis, String problem) {}

  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "idem-serve-check");
            t.setDaemon(true);
            return t;
          });
  private final Duration limit;

  SpotCheck(Duration limit) {
    this.limit = limit;
  }

  Outcome run(ServedPipeline p, RunServices services) {
    if (!p.readable()) {
      return new Outcome(List.of(), 0, p.problem());
    }
    long start = System.nanoTime();
    Future<Outcome> future = executor.submit(() -> check(p, services, start));
    try {
      return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new Outcome(
          List.of(),
          limit.toMillis(),
          "the checks took longer than " + limit.toSeconds() + " s and were stopped waiting for");
    } catch (ExecutionException e) {
      return new Outcome(List.of(), 0, Inspection.oneLine(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(List.of(), 0, "interrupted");
    }
  }

  private static Outcome check(ServedPipeline p, RunServices services, long start) {
    Optional<String> missing = p.destination().missing();
    if (missing.isPresent()) {
      return new Outcome(List.of(), 0, missing.get() + ": the pipeline has never run");
    }
    try (var d = p.destination().openReadOnly(services)) {
      if (!(d instanceof SupportsChecks checks)) {
        return new Outcome(List.of(), 0, d.describe() + " has no reconciliation checks");
      }
      List<CheckResult> results = checks.spotCheck(p.pipeline(), Optional.empty());
      return new Outcome(results, (System.nanoTime() - start) / 1_000_000, null);
    } catch (RuntimeException e) { // the destination's failure of any kind is the page's message
      return new Outcome(List.of(), 0, Inspection.oneLine(e));
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
