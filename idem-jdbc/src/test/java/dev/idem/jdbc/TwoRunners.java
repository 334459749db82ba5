package dev.idem.jdbc;

import dev.idem.context.RunServices;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.pipeline.Pipeline;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two runners of one database, each with its own destination instance and owner, loading windows in
 * threads of their own; and the fault injectors that hold a runner at a fault point until the test
 * lets it go, so that two windows' loads overlap by construction rather than by luck.
 */
public final class TwoRunners implements AutoCloseable {
  /** Longest wait for a runner: a guard against a hang, never a measure of anything. */
  static final Duration GUARD = Duration.ofMinutes(5);

  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final JdbcDestination first;
  private final JdbcDestination second;

  /** The second instance is {@code destination} reopened, as another process would open it. */
  TwoRunners(JdbcDestination destination) {
    this.first = destination;
    this.second = destination.reopen(services("r2"));
  }

  public static RunServices services(String owner) {
    return RunServices.defaults()
        .withOwner(owner)
        .withRetry(new RetryPolicy(5, Duration.ZERO, Duration.ZERO));
  }

  static RunOptions options(String runId, boolean force) {
    RunOptions o = RunOptions.defaults(runId);
    return force ? o.forced() : o;
  }

  /** Runner {@code n} (1 or 2) loads {@code window} in its thread, with these fault injectors. */
  Future<RunReport> start(
      int n, Pipeline pipeline, Window window, RunOptions options, FaultInjector faults) {
    return start(n, pipeline, window, options, faults, () -> {});
  }

  /**
   * As {@link #start(int, Pipeline, Window, RunOptions, FaultInjector)}; {@code ended} at the end.
   */
  Future<RunReport> start(
      int n,
      Pipeline pipeline,
      Window window,
      RunOptions options,
      FaultInjector faults,
      Runnable ended) {
    JdbcDestination d = n == 1 ? first : second;
    Runner runner = new Runner(d, services("r" + n).withFaults(faults));
    return threads.submit(
        () -> {
          try {
            return runner.run(pipeline, List.of(window), options);
          } finally {
            ended.run();
          }
        });
  }

  static RunReport join(Future<RunReport> run) {
    try {
      return run.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a runner threw", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("a runner hung for " + GUARD, e);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
    second.close();
  }

  static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(GUARD.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("waited " + GUARD + " for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }

  /**
   * Holds a runner the first time it reaches {@code point}: {@link #reached} then opens, and the
   * runner waits until {@link #release}.
   */
  static final class Hold implements FaultInjector {
    private final FaultPoint point;
    final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread thread;

    Hold(FaultPoint point) {
      this.point = point;
    }

    @Override
    public void reach(FaultPoint p, Window window) {
      if (p == point && reached.getCount() > 0) {
        thread = Thread.currentThread();
        reached.countDown();
        await(released, "the test to release " + point + " in " + window);
      }
    }

    void release() {
      released.countDown();
    }

    boolean isReached() {
      return reached.getCount() == 0;
    }

    /** The runner's thread, once it reached the point. */
    Thread thread() {
      return thread;
    }
  }

  /** Injectors called one after the other. */
  static FaultInjector both(FaultInjector a, FaultInjector b) {
    return (point, window) -> {
      a.reach(point, window);
      b.reach(point, window);
    };
  }
}
