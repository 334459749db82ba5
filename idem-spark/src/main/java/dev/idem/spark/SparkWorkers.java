package dev.idem.spark;

import dev.idem.DataException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.context.Workers;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A destination's pieces of work run as one Spark job, a task per input, on the session's
 * executors: a window's new rows written as data files where they run ({@code idem-iceberg}), while
 * the driver keeps the plan and the commit.
 */
final class SparkWorkers implements Workers {
  private static final Logger LOG = LoggerFactory.getLogger(SparkWorkers.class);

  private final JavaSparkContext spark;

  SparkWorkers(JavaSparkContext spark) {
    this.spark = spark;
  }

  @Override
  public int parallelism() {
    return spark.defaultParallelism();
  }

  /**
   * Runs the tasks as one Spark job. When the job fails (a task failed, after Spark's retries), the
   * call throws only once none of the job's tasks runs any more, or after {@link #STOP_WAIT}: Spark
   * fails a job as soon as one task fails and marks the others killed, which a task in the middle
   * of writing its file does not notice, so it could otherwise leave its file after the caller
   * cleaned up the call's files. Tasks are not interrupted (Spark's default, as an interrupted HDFS
   * write can mark datanodes dead). The thread's job group and description are the caller's again
   * after.
   */
  @Override
  public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
    return runAndTell(description, inputs, task).outputs();
  }

  /**
   * As {@link #run}; some task may have run more than once when an output taken came from an
   * attempt after the first (the first failed, perhaps after its work), or when Spark's speculation
   * is on ({@code spark.speculation}: a copy may have run beside the attempt whose output was
   * taken). Without speculation, an output of a first attempt means the task ran once.
   */
  @Override
  public <I, O> Outputs<O> runAndTell(String description, List<I> inputs, Task<I, O> task) {
    if (inputs.isEmpty()) {
      return new Outputs<>(List.of(), false);
    }
    boolean failFirst = Boolean.getBoolean(FAIL_FIRST_ATTEMPT);
    return inJob(
        description,
        submitted -> {
          if (javaSerializer()) {
            // the closure is checked for serialization here, before any job
            JavaRDD<Attempt<O>> outputs =
                spark
                    .parallelize(inputs, inputs.size())
                    .map(i -> apply(task, i, failFirst, description));
            submitted[0] = true;
            return outputs.collect();
          }
          // another spark.serializer (Kryo, which cannot make Java records, as idem's tasks are):
          // the inputs and outputs travel as Java serialization's bytes
          JavaRDD<byte[]> outputs =
              spark
                  .parallelize(bytes(inputs), inputs.size())
                  .map(
                      b ->
                          JavaBytes.of(
                              apply(task, SparkWorkers.<I>fromBytes(b), failFirst, description)));
          submitted[0] = true;
          return attempts(outputs.collect());
        });
  }

  /** Each of {@code values}' Java serialization's bytes. */
  private static List<byte[]> bytes(List<?> values) throws IOException {
    List<byte[]> sent = new ArrayList<>(values.size());
    for (Object v : values) {
      sent.add(JavaBytes.of(v));
    }
    return sent;
  }

  /** Tasks' attempts from their bytes. */
  private static <O> List<Attempt<O>> attempts(List<byte[]> outputs)
      throws IOException, ClassNotFoundException {
    List<Attempt<O>> attempts = new ArrayList<>(outputs.size());
    for (byte[] b : outputs) {
      attempts.add(SparkWorkers.<Attempt<O>>fromBytes(b));
    }
    return attempts;
  }

  /** A Spark job's work: its tasks' attempts; sets {@code submitted[0]} once it submitted it. */
  @FunctionalInterface
  private interface Job<O> {
    List<Attempt<O>> run(boolean[] submitted) throws Exception;
  }

  /**
   * Runs {@code job} in a job group of its own, described as {@code description}: its outputs, and
   * whether some task may have run more than once ({@link #runAndTell}); a failed job fails as
   * {@link #run} says, once its tasks stopped.
   */
  private <O> Outputs<O> inJob(String description, Job<O> job) {
    return inJob(description, job, () -> {});
  }

  /**
   * As {@link #inJob(String, Job)}; when the job fails, {@code cleanUp} runs once its tasks stopped
   * (a failure of its own added to the job's as suppressed).
   */
  private <O> Outputs<O> inJob(String description, Job<O> job, Runnable cleanUp) {
    String group = "idem-" + UUID.randomUUID();
    Map<String, String> caller = new HashMap<>();
    for (String key : THREAD_PROPERTIES) {
      caller.put(key, spark.getLocalProperty(key));
    }
    spark.setJobGroup(group, description, false);
    boolean[] submitted = {false};
    try {
      List<Attempt<O>> attempts = job.run(submitted);
      List<O> results = new ArrayList<>(attempts.size());
      boolean repeated = spark.getConf().getBoolean("spark.speculation", false);
      for (Attempt<O> a : attempts) {
        results.add(a.output());
        repeated |= a.number() > 0;
      }
      return new Outputs<>(results, repeated);
    } catch (Exception e) { // SparkException is checked, though collect() does not declare it
      String message = "Spark job '" + description + "' failed: " + firstLine(e.getMessage());
      IdemException refused = refusal(e);
      // a task's own failure that is not transient (the pipeline file changed since the run
      // started) is the job's; results more than the driver takes (for a window's reading job, its
      // records less those its tasks folded) would be again: neither is retried
      RuntimeException failure =
          refused != null
              ? refused
              : message.contains("spark.driver.maxResultSize")
                  ? new DataException(
                      message
                          + "; a job's results travel to the driver (a reading job's: the window's"
                          + " records): raise spark.driver.maxResultSize"
                          + " (IDEM_JAVA_OPTS=-Dspark.driver.maxResultSize=4g, 0 for no limit) with"
                          + " the driver's memory",
                      e)
                  : new TransientException(message, e);
      if (submitted[0]) {
        try {
          stop(group);
        } catch (RuntimeException stopping) { // the context stopped meanwhile
          failure.addSuppressed(stopping);
        }
      }
      throw cleanedUp(cleanUp, failure);
    } catch (Error e) {
      throw cleanedUp(cleanUp, e);
    } finally {
      caller.forEach(spark::setLocalProperty);
    }
  }

  /** {@code failure}, once {@code cleanUp} ran, with its failure, if any, as suppressed. */
  private static <T extends Throwable> T cleanedUp(Runnable cleanUp, T failure) {
    try {
      cleanUp.run();
    } catch (RuntimeException cleaning) {
      failure.addSuppressed(cleaning);
    }
    return failure;
  }

  /**
   * Runs {@code task} on each input as one Spark job, each task's output kept where it ran
   * (persisted by Spark, in memory or on the executor's disk) but for what {@code toDriver} takes
   * of it, which comes back: those, in the inputs' order, and the kept outputs, one a Spark
   * partition in the inputs' order (unpersisted by the caller). A kept output Spark loses (an
   * executor lost) is made again by running its task again when a later job reads it.
   */
  <I, K extends Serializable, D> Keeping<D> runKeeping(
      String description, List<I> inputs, Task<I, K> task, Task<K, D> toDriver) {
    boolean failFirst = Boolean.getBoolean(FAIL_FIRST_ATTEMPT);
    AtomicReference<JavaRDD<byte[]>> kept = new AtomicReference<>();
    Outputs<D> outputs =
        inJob(
            description,
            submitted -> {
              kept.set(
                  spark
                      .parallelize(bytes(inputs), inputs.size())
                      .map(
                          b ->
                              JavaBytes.of(
                                  apply(task, SparkWorkers.<I>fromBytes(b), failFirst, description)
                                      .output()))
                      .persist(StorageLevel.MEMORY_AND_DISK()));
              JavaRDD<byte[]> back =
                  kept.get()
                      .map(
                          b ->
                              JavaBytes.of(
                                  new Attempt<>(
                                      toDriver.apply(SparkWorkers.<K>fromBytes(b)),
                                      TaskContext.get().attemptNumber())));
              submitted[0] = true;
              return attempts(back.collect());
            },
            () -> {
              // after the failed job's tasks stopped: none stores a block after this
              if (kept.get() != null) {
                kept.get().unpersist(false);
              }
            });
    return new Keeping<>(outputs.outputs(), kept.get());
  }

  /**
   * The driver's part of the outputs of a {@link #runKeeping} job, and the kept outputs' bytes
   * where the tasks ran (one a partition).
   */
  record Keeping<D>(List<D> toDriver, JavaRDD<byte[]> kept) {}

  /**
   * Rows kept where a window's reading tasks ran ({@link SparkScattered}): brought together a slice
   * a task by a Spark shuffle, sorted by their places, each slice's task given its input and its
   * rows; else (rows held here) as {@link Workers#runOnSlices} does.
   */
  @Override
  public <I, O> Outputs<O> runOnSlices(
      String description, Scattered rows, Slicing slicing, List<I> inputs, SliceTask<I, O> task) {
    if (!(rows instanceof SparkScattered scattered)) {
      return Workers.super.runOnSlices(description, rows, slicing, inputs, task);
    }
    int slices = Workers.slices(inputs, slicing);
    boolean failFirst = Boolean.getBoolean(FAIL_FIRST_ATTEMPT);
    return inJob(
        description,
        submitted -> {
          JavaPairRDD<Long, byte[]> sorted =
              scattered
                  .bySlice(slicing)
                  .repartitionAndSortWithinPartitions(new SlicePartitioner(slices));
          JavaRDD<byte[]> outputs =
              spark
                  .parallelize(bytes(inputs), slices)
                  .zipPartitions(
                      sorted,
                      (input, slice) ->
                          List.of(
                                  JavaBytes.of(
                                      apply(
                                          i -> task.apply(i, SparkScattered.rowsOf(slice)),
                                          SparkWorkers.<I>fromBytes(input.next()),
                                          failFirst,
                                          description)))
                              .iterator());
          submitted[0] = true;
          return attempts(outputs.collect());
        });
  }

  /** A slice's rows to the partition of its number ({@link SparkScattered#bySlice}). */
  private static final class SlicePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int slices;

    SlicePartitioner(int slices) {
      this.slices = slices;
    }

    @Override
    public int numPartitions() {
      return slices;
    }

    @Override
    public int getPartition(Object key) {
      return SparkScattered.sliceOf((Long) key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SlicePartitioner p && p.slices == slices;
    }

    @Override
    public int hashCode() {
      return slices;
    }
  }

  /**
   * The failure of a job's task that is idem's own and not transient (a {@link
   * dev.idem.ConfigException} or {@link DataException} a task threw, which Spark hands back as the
   * cause of the job's failure), or null: the first of idem's failures among the causes decides (a
   * transient one caused by another is transient).
   */
  private static IdemException refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IdemException i) {
        return i instanceof TransientException ? null : i;
      }
    }
    return null;
  }

  /**
   * A Spark broadcast variable of {@code value}: sent once to each executor (and kept there until
   * closed), not with each task. Under Spark's Java serializer the value itself, read once an
   * executor; under another (Kryo) its Java serialization's bytes, which each task reads back.
   */
  @Override
  public <T extends Serializable> Shared<T> share(T value) {
    return javaSerializer() ? new Broadcasted<>(spark.broadcast(value)) : shareAsBytes(value);
  }

  /** {@code value}'s Java serialization's bytes as a broadcast variable, read back by each task. */
  <T extends Serializable> Shared<T> shareAsBytes(T value) {
    try {
      return new BroadcastBytes<>(spark.broadcast(JavaBytes.of(value)));
    } catch (IOException e) {
      throw new UncheckedIOException("serializing a value for Spark's tasks", e);
    }
  }

  /** A broadcast value. */
  private record Broadcasted<T>(Broadcast<T> broadcast) implements Shared<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public T get() {
      return broadcast.value();
    }

    @Override
    public void close() {
      destroy(broadcast);
    }
  }

  /** A broadcast value's Java serialization's bytes. */
  private record BroadcastBytes<T>(Broadcast<byte[]> broadcast) implements Shared<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public T get() {
      try {
        return fromBytes(broadcast.value());
      } catch (IOException | ClassNotFoundException e) {
        throw new IllegalStateException("reading a value Spark's driver shared", e);
      }
    }

    @Override
    public void close() {
      destroy(broadcast);
    }
  }

  /**
   * Destroys a broadcast variable; one Spark cannot destroy (its context stopped, a shutdown's hook
   * ran first, destroyed already) is logged, not thrown: closing a shared value must not hide the
   * failure of the job that read it, and a stopped context keeps nothing to free.
   */
  private static void destroy(Broadcast<?> broadcast) {
    try {
      broadcast.destroy();
    } catch (Exception e) { // Spark's SparkException too, which Scala throws unchecked
      LOG.warn("could not free Spark broadcast variable {}: {}", broadcast.id(), e.toString());
    }
  }

  /**
   * Fault injection for tests ({@code -Didem.fault.spark.fail.first.attempt=true} on the driver):
   * the first attempt of every task fails once its work is done (a reading task's file read, a
   * writing task's data file written), as when an executor is lost before its result reaches the
   * driver; Spark runs the task again if its master allows retries ({@code local[2,2]}, a cluster's
   * {@code spark.task.maxFailures}).
   */
  static final String FAIL_FIRST_ATTEMPT = "idem.fault.spark.fail.first.attempt";

  /** A call's input or a task's output, from its bytes. */
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // the caller names the type
  private static <T> T fromBytes(byte[] bytes) throws IOException, ClassNotFoundException {
    return (T) JavaBytes.read(bytes);
  }

  /** Whether Spark's data serializer is its Java serializer, the default. */
  private boolean javaSerializer() {
    return spark
        .getConf()
        .get("spark.serializer", JavaSerializer.class.getName())
        .equals(JavaSerializer.class.getName());
  }

  /** A task's output, and the number of the attempt that made it (0 the first). */
  private record Attempt<O>(O output, int number) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The task's output for {@code input}; with {@code failFirst}, the fault above. */
  private static <I, O> Attempt<O> apply(Task<I, O> task, I input, boolean failFirst, String job)
      throws Exception {
    O output = task.apply(input);
    TaskContext context = TaskContext.get();
    if (failFirst && context.attemptNumber() == 0) {
      throw new IllegalStateException(
          "idem fault "
              + FAIL_FIRST_ATTEMPT
              + ": the first attempt of task "
              + context.partitionId()
              + " of '"
              + job
              + "' failed after its work");
    }
    // a stage Spark runs again (a shuffle's output lost with an executor) numbers its tasks'
    // attempts from 0 again
    return new Attempt<>(output, context.attemptNumber() + context.stageAttemptNumber());
  }

  /** The thread's properties a call sets for its job: group, description, interrupt on cancel. */
  private static final List<String> THREAD_PROPERTIES =
      List.of("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel");

  /** How long a failed call waits for its job's other tasks to stop. */
  static final Duration STOP_WAIT = Duration.ofSeconds(60);

  /**
   * How long a failed call waits for its job to show in Spark's status store at all: a job whose
   * submission failed (its stage could not be made) never does.
   */
  private static final Duration START_WAIT = Duration.ofSeconds(5);

  /** Cancels the group's jobs, then waits until none of their tasks runs, or {@link #STOP_WAIT}. */
  private void stop(String group) {
    if (spark.sc().isStopped()) {
      return; // its tasks ended with it
    }
    spark.cancelJobGroup(group);
    long started = System.nanoTime();
    while (running(group, System.nanoTime() - started < START_WAIT.toNanos())) {
      if (System.nanoTime() - started > STOP_WAIT.toNanos()) {
        LOG.warn(
            "Spark job group {} failed and still runs tasks after {} s: a file such a task writes"
                + " after this is an orphan (idem doctor finds it)",
            group,
            STOP_WAIT.toSeconds());
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Whether a job of {@code group} may still run a task, by Spark's status store, which its
   * listener fills behind the scheduler: until the store has every job of the group ended (its end
   * comes after the start of each of its tasks) and no stage of them has an active task; while no
   * job of the group is in the store, {@code awaitingStart}.
   */
  private boolean running(String group, boolean awaitingStart) {
    JavaSparkStatusTracker status = spark.statusTracker();
    int[] jobs = status.getJobIdsForGroup(group);
    if (jobs.length == 0) {
      return awaitingStart; // the job's start is not in the store yet, or never will be
    }
    for (int job : jobs) {
      SparkJobInfo info = status.getJobInfo(job);
      if (info == null || info.status() == JobExecutionStatus.RUNNING) {
        return true;
      }
      for (int stage : info.stageIds()) {
        SparkStageInfo s = status.getStageInfo(stage);
        if (s != null && s.numActiveTasks() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first line of a Spark job's failure, which goes on with the failed task's stack trace; the
   * whole of it stays in the cause.
   */
  static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
