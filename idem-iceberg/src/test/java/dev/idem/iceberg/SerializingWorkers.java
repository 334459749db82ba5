package dev.idem.iceberg;

import dev.idem.context.Workers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workers as an engine's executors are to a destination: each task and its input cross Java
 * serialization to a thread of a pool, and the output crosses it back, so nothing that cannot
 * travel to another machine reaches a task or comes back from one. A shared value ({@link #share})
 * is kept here, by its number, as an engine keeps a broadcast variable: a task holds only the
 * number, and reads the value while it is not closed.
 */
final class SerializingWorkers implements Workers, AutoCloseable {
  private final int parallelism;
  private final ExecutorService pool;
  private final AtomicInteger tasks = new AtomicInteger();
  private final List<String> jobs = new CopyOnWriteArrayList<>();
  private final AtomicLong largestTask = new AtomicLong();

  /** The shared values not closed yet, by number; all instances' (a task finds them by number). */
  private static final Map<Long, Object> SHARED = new ConcurrentHashMap<>();

  private static final AtomicLong NEXT_SHARED = new AtomicLong();

  /** The numbers of the values this instance shared. */
  private final Set<Long> numbers = ConcurrentHashMap.newKeySet();

  SerializingWorkers(int parallelism) {
    this.parallelism = parallelism;
    this.pool = Executors.newFixedThreadPool(parallelism);
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  /** How many tasks ran. */
  int tasks() {
    return tasks.get();
  }

  /**
   * The bytes of the largest task sent, with its input (what Spark refuses above {@code
   * spark.rpc.message.maxSize}); a shared value is not in it.
   */
  long largestTask() {
    return largestTask.get();
  }

  /** The descriptions of the calls, in order. */
  List<String> jobs() {
    return List.copyOf(jobs);
  }

  @Override
  public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
    jobs.add(description);
    List<Future<byte[]>> running = new ArrayList<>();
    for (I input : inputs) {
      byte[] sent = bytes(new Object[] {task, input});
      largestTask.accumulateAndGet(sent.length, Math::max);
      running.add(
          pool.submit(
              () -> {
                Object[] received = (Object[]) object(sent);
                @SuppressWarnings("unchecked")
                Task<Object, Object> t = (Task<Object, Object>) received[0];
                tasks.incrementAndGet();
                return bytes(t.apply(received[1]));
              }));
    }
    List<O> out = new ArrayList<>();
    for (Future<byte[]> f : running) {
      try {
        @SuppressWarnings("unchecked")
        O o = (O) object(f.get());
        out.add(o);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    return out;
  }

  @Override
  public <T extends Serializable> Shared<T> share(T value) {
    long number = NEXT_SHARED.incrementAndGet();
    SHARED.put(number, object(bytes(value)));
    numbers.add(number);
    return new Registered<>(number);
  }

  /** How many values were shared. */
  int shared() {
    return numbers.size();
  }

  /** How many values shared are not closed. */
  int sharedOpen() {
    return (int) numbers.stream().filter(SHARED::containsKey).count();
  }

  /** Slices cut by a copy of {@code slicing} that crossed Java serialization, as a task's would. */
  @Override
  public <I, O> Outputs<O> runOnSlices(
      String description, Scattered rows, Slicing slicing, List<I> inputs, SliceTask<I, O> task) {
    return Workers.super.runOnSlices(
        description, rows, (Slicing) object(bytes(slicing)), inputs, task);
  }

  /** A shared value's handle: its number. */
  private record Registered<T>(long number) implements Shared<T> {
    @Override
    @SuppressWarnings("unchecked")
    public T get() {
      Object value = SHARED.get(number);
      if (value == null) {
        throw new IllegalStateException("shared value " + number + " read after it was closed");
      }
      return (T) value;
    }

    @Override
    public void close() {
      SHARED.remove(number);
    }
  }

  private static byte[] bytes(Object o) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  private static Object object(byte[] bytes) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    numbers.forEach(SHARED::remove);
  }
}
