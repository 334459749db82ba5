package dev.idem.context;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a destination may run pieces of a window's work that need no connection of the runner's: on
 * the calling thread ({@link #IN_PROCESS}, the JVM runner), or on an engine's executors ({@code
 * --engine spark}). A task and its input travel by Java serialization to wherever it runs and its
 * output comes back the same way, so both must be plain serializable data; a task must not depend
 * on where it runs, and its output must be complete when it returns. An engine may run a task more
 * than once (a lost executor, speculation): what a task writes must not depend on being the only
 * attempt. A task that fails fails the whole call with an unchecked exception (a {@link
 * dev.idem.TransientException} when the engine's job failed), after the call's other tasks stopped
 * as far as the engine can tell (Spark: up to a minute), since the caller then cleans up what they
 * wrote.
 */
public interface Workers {
  /** Runs every task on the calling thread, one after another. */
  Workers IN_PROCESS =
      new Workers() {
        @Override
        public int parallelism() {
          return 1;
        }

        @Override
        public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
          List<O> out = new ArrayList<>(inputs.size());
          for (I input : inputs) {
            try {
              out.add(task.apply(input));
            } catch (Exception e) {
              throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
          }
          return out;
        }
      };

  /** How many tasks run at once: worth splitting work into this many pieces. */
  int parallelism();

  /**
   * Applies {@code task} to each input; the outputs in the inputs' order.
   *
   * @param description what the tasks do, for the engine's job list (a window's id in it)
   */
  <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task);

  /**
   * Applies {@code task} to each input, as {@link #run}, and tells whether some task may have run
   * more than once (an attempt that failed after its work, a speculative copy), so that the caller
   * knows whether to look for what such an attempt wrote. By default, unless the tasks run on the
   * calling thread ({@link #IN_PROCESS}): yes.
   */
  default <I, O> Outputs<O> runAndTell(String description, List<I> inputs, Task<I, O> task) {
    return new Outputs<>(run(description, inputs, task), this != IN_PROCESS);
  }

  /**
   * The outputs of a call, in the inputs' order, and whether some task may have run more than once
   * ({@link #runAndTell}).
   */
  record Outputs<O>(List<O> outputs, boolean repeated) {}

  /**
   * {@code value} for the tasks of the calls that follow to read ({@link Shared#get}) instead of
   * each task carrying a copy: what many tasks need whole (the keys a window looks up). By default
   * the value travels with each task that holds the handle; an engine may send it once to each
   * place that runs tasks (Spark: a broadcast variable). Closed once the calls are done.
   */
  default <T extends Serializable> Shared<T> share(T value) {
    return new Held<>(value);
  }

  /** A value the tasks read ({@link #share}); the handle is what a task holds. */
  interface Shared<T> extends Serializable, AutoCloseable {
    T get();

    /**
     * Frees the value where the engine keeps it; tasks must not read it any more. Does not throw (a
     * value the engine cannot free is logged): shared values are closed after a failed job too.
     */
    @Override
    void close();
  }

  /** A shared value that travels with each task holding it. */
  record Held<T extends Serializable>(T value) implements Shared<T> {
    @Override
    public T get() {
      return value;
    }

    @Override
    public void close() {}
  }

  /**
   * Rows of a window staged by its reading tasks and kept where those ran (an engine's data, {@link
   * dev.idem.source.ScattersRows}), each with its place in the window: rows in the order the
   * window's reader returned their records have increasing places. Planned where they are, a slice
   * of their keys a task ({@link #runOnSlices}).
   */
  interface Scattered extends AutoCloseable {
    /** How many rows. */
    long rows();

    /**
     * Some of the rows, spread over the input (a few dozen at most of each reading task's), each
     * weighing the rows it stands for, the same for the same input: to cut slices of about as many
     * rows each by.
     */
    List<Sampled> sample();

    /** Frees the rows where they are kept. Does not throw. */
    @Override
    void close();
  }

  /** A row of a {@link Scattered} sample and how many rows it stands for. */
  // the row is handed over as staged, not copied
  @SuppressWarnings("ArrayRecordComponent")
  record Sampled(Object[] row, long weight) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The most slices {@link #runOnSlices} cuts rows into. */
  int MOST_SLICES = 32_767;

  /**
   * A window's rows held in this process, their places their indexes: rows as {@link Scattered}
   * that the default {@link #runOnSlices} cuts here (tests, and workers on the calling thread);
   * closing them runs {@code onClose}.
   */
  record Kept(List<Object[]> list, Runnable onClose) implements Scattered {
    public Kept(List<Object[]> list) {
      this(list, () -> {});
    }

    @Override
    public long rows() {
      return list.size();
    }

    /** Every row, each standing for itself. */
    @Override
    public List<Sampled> sample() {
      return list.stream().map(r -> new Sampled(r, 1)).toList();
    }

    @Override
    public void close() {
      onClose.run();
    }
  }

  /** Which of {@link #slices} slices of a window's keys a staged row is in: a key's rows in one. */
  interface Slicing extends Serializable {
    int slices();

    int slice(Object[] row);
  }

  /** A slice's rows, in their places' order. */
  @FunctionalInterface
  interface SliceRows {
    void forEach(RowAt each);
  }

  /** A row and its place in the window. */
  @FunctionalInterface
  interface RowAt {
    void accept(long at, Object[] row);
  }

  /** The work on one slice of scattered rows: its input and its rows. */
  @FunctionalInterface
  interface SliceTask<I, O> extends Serializable {
    O apply(I input, SliceRows rows) throws Exception;
  }

  /**
   * Applies {@code task} to each slice of {@code rows} cut by {@code slicing}, with the {@code
   * i}-th input for slice {@code i}: each row goes to its slice's task, where the workers run it,
   * and a task is given its slice's rows in their places' order. The outputs in the slices' order,
   * and whether some task may have run more than once, as {@link #runAndTell}. By default for rows
   * held in this process ({@link Kept}): cut here, each slice's rows travelling with its task; an
   * engine whose tasks keep rows ({@link dev.idem.source.ScattersRows}) runs its own rows where
   * they are.
   */
  default <I, O> Outputs<O> runOnSlices(
      String description, Scattered rows, Slicing slicing, List<I> inputs, SliceTask<I, O> task) {
    if (!(rows instanceof Kept kept)) {
      throw new IllegalArgumentException(
          "rows kept by another engine's tasks: " + rows.getClass().getName());
    }
    slices(inputs, slicing);
    List<SliceInput<I>> slices = new ArrayList<>(inputs.size());
    for (I input : inputs) {
      slices.add(new SliceInput<>(input, new ArrayList<>(), new ArrayList<>()));
    }
    for (int i = 0; i < kept.list().size(); i++) {
      Object[] row = kept.list().get(i);
      SliceInput<I> s = slices.get(slicing.slice(row));
      s.places().add((long) i);
      s.rows().add(row);
    }
    return runAndTell(
        description,
        slices,
        s ->
            task.apply(
                s.input(),
                each -> {
                  for (int i = 0; i < s.rows().size(); i++) {
                    each.accept(s.places().get(i), s.rows().get(i));
                  }
                }));
  }

  /**
   * How many slices {@code slicing} cuts into, each of which {@link #runOnSlices} takes an input
   * of: no more than {@link #MOST_SLICES}.
   */
  static int slices(List<?> inputs, Slicing slicing) {
    int slices = slicing.slices();
    if (inputs.size() != slices || slices > MOST_SLICES) {
      throw new IllegalArgumentException(
          inputs.size() + " inputs for " + slices + " slices (at most 32,767)");
    }
    return slices;
  }

  /** A slice's input with its rows held in this process and their places ({@link Kept}). */
  record SliceInput<I>(I input, ArrayList<Long> places, ArrayList<Object[]> rows)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A piece of work that can be sent elsewhere to run. */
  @FunctionalInterface
  interface Task<I, O> extends Serializable {
    O apply(I input) throws Exception;
  }
}
