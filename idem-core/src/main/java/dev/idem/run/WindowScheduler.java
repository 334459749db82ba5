package dev.idem.run;

import dev.idem.IdemException;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Loads a list of windows in id order: on the calling thread, or with {@code parallel > 1} on that
 * many runner threads taking windows from one queue. Each thread is its own owner, present in the
 * ledger while it works. No window starts once {@code stop} says so; the ones in progress finish.
 */
final class WindowScheduler {
  private final Owners owners;
  private final WindowLoader loader;
  private final FaultInjector faults;

  WindowScheduler(Owners owners, WindowLoader loader, FaultInjector faults) {
    this.owners = owners;
    this.loader = loader;
    this.faults = faults;
  }

  /** The windows' outcomes, in the order they finished; windows never started have none. */
  List<WindowOutcome> load(
      Pipeline pipeline,
      List<Window> windows,
      RunOptions options,
      BooleanSupplier stop,
      HeldWindows held) {
    List<Window> sorted = new ArrayList<>(windows);
    Collections.sort(sorted);
    Queue<Window> queue = new ConcurrentLinkedQueue<>(sorted);
    List<WindowOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    Runnable runner =
        () ->
            owners.present(
                owner -> {
                  for (Window w = stop.getAsBoolean() ? null : queue.poll();
                      w != null;
                      w = stop.getAsBoolean() ? null : queue.poll()) {
                    outcomes.add(loader.load(pipeline, w, options, owner, held));
                    faults.reach(FaultPoint.BETWEEN_WINDOWS, w);
                  }
                });
    int threads = Math.min(options.parallel(), sorted.size());
    if (threads <= 1) {
      runner.run();
      return new ArrayList<>(outcomes);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "idem-runner-" + owners.last());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(runner));
      }
      for (Future<?> f : futures) {
        join(f);
      }
    } finally {
      pool.shutdownNow();
    }
    return new ArrayList<>(outcomes);
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while waiting for runner threads", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Error err) {
        throw err;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IdemException(c.toString(), c);
    }
  }
}
