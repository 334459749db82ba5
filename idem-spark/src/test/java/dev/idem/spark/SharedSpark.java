package dev.idem.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The one {@code local[2]} Spark session of this module's test JVM: started by the first test that
 * needs it, stopped by Spark's shutdown hook when the JVM exits (a session takes seconds to start,
 * so no test class starts its own). The engine uses a session already running and leaves it so.
 */
public final class SharedSpark {
  private static SparkSession session;

  /**
   * Tasks of the session that ended, but for the destination's writing tasks, counted by a listener
   * (Spark reports them asynchronously).
   */
  private static final AtomicLong TASKS_ENDED = new AtomicLong();

  /** The destination's tasks that wrote data files ({@code Workers}) and ended. */
  private static final AtomicLong WRITE_TASKS_ENDED = new AtomicLong();

  /** Whether a stage's job writes data files, by stage id. */
  private static final Map<Integer, Boolean> STAGES_WRITING = new ConcurrentHashMap<>();

  private SharedSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("idem-spark tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .getOrCreate();
      session
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onJobStart(SparkListenerJobStart jobStart) {
                  String description =
                      jobStart.properties() == null
                          ? null
                          : jobStart.properties().getProperty("spark.job.description");
                  boolean writes = description != null && description.contains(" rows written in ");
                  jobStart.stageIds().foreach(id -> STAGES_WRITING.put((Integer) id, writes));
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                  if (STAGES_WRITING.getOrDefault(taskEnd.stageId(), false)) {
                    WRITE_TASKS_ENDED.incrementAndGet();
                  } else {
                    TASKS_ENDED.incrementAndGet();
                  }
                }
              });
    }
    return session;
  }

  /**
   * How many tasks but the writing ones ended so far (wait for the count: the listener runs behind
   * the jobs).
   */
  public static long tasksEnded() {
    return TASKS_ENDED.get();
  }

  /** How many tasks writing a window's data files ended so far. */
  public static long writeTasksEnded() {
    return WRITE_TASKS_ENDED.get();
  }

  /** How many input files the driver read again itself (columns that differ, evolve or freeze). */
  public static long driverReads() {
    return SparkSource.DRIVER_READS.get();
  }

  /** How many records the reading tasks folded early (their key's winner was in the same part). */
  public static long tasksFolded() {
    return SparkSource.TASK_FOLDED.get();
  }
}
