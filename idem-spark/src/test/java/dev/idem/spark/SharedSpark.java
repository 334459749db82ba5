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
  private static final AtomicLong KEPT_PLANS_IN_SLICES = new AtomicLong();

  private static final AtomicLong TASKS_ENDED = new AtomicLong();

  /** The destination's tasks that wrote data files ({@code Workers}) and ended. */
  private static final AtomicLong WRITE_TASKS_ENDED = new AtomicLong();

  /** The tasks that hashed or scanned input files for the driver's source and ended. */
  private static final AtomicLong INPUT_FILE_TASKS_ENDED = new AtomicLong();

  /** The tasks of windows' plans (the table's files read for keys, or rewritten) that ended. */
  private static final AtomicLong TABLE_TASKS_ENDED = new AtomicLong();

  /** The tasks that planned slices of a spilled window's keys and ended. */
  private static final AtomicLong SLICE_TASKS_ENDED = new AtomicLong();

  /** Which counter a stage's tasks go to, by stage id. */
  private static final Map<Integer, AtomicLong> STAGE_COUNTERS = new ConcurrentHashMap<>();

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
                  AtomicLong counter =
                      description == null
                          ? TASKS_ENDED
                          : description.contains(" rows written in ")
                              ? WRITE_TASKS_ENDED
                              : description.contains(" rows planned in ")
                                  ? SLICE_TASKS_ENDED
                                  : description.matches("idem: (hashing|scanning) .*")
                                      ? INPUT_FILE_TASKS_ENDED
                                      : description.matches(
                                              "idem window .*: .*(keys looked up in|data files"
                                                  + " rewritten).*")
                                          ? TABLE_TASKS_ENDED
                                          : TASKS_ENDED;
                  jobStart.stageIds().foreach(id -> STAGE_COUNTERS.put((Integer) id, counter));
                  if (description != null
                      && description.matches(".* planned in ([2-9]|\\d{2,}) slices where .*")) {
                    KEPT_PLANS_IN_SLICES.incrementAndGet();
                  }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                  STAGE_COUNTERS.getOrDefault(taskEnd.stageId(), TASKS_ENDED).incrementAndGet();
                }
              });
    }
    return session;
  }

  /**
   * How many tasks but the writing ones and those learning input files ended so far (wait for the
   * count: the listener runs behind the jobs).
   */
  public static long tasksEnded() {
    return TASKS_ENDED.get();
  }

  /** How many tasks planning slices of a spilled window's keys ended so far. */
  public static long sliceTasksEnded() {
    return SLICE_TASKS_ENDED.get();
  }

  /** How many tasks writing a window's data files ended so far. */
  public static long writeTasksEnded() {
    return WRITE_TASKS_ENDED.get();
  }

  /**
   * How many tasks of a window's plan ended so far: reading the table's data files for the window's
   * keys, or writing again those an update or a delete changes.
   */
  public static long tableTasksEnded() {
    return TABLE_TASKS_ENDED.get();
  }

  /** How many tasks hashing or scanning input files for the driver's source ended so far. */
  public static long inputFileTasksEnded() {
    return INPUT_FILE_TASKS_ENDED.get();
  }

  /** How many input files' hashes the driver took from tasks. */
  public static long filesHashedByTasks() {
    return SparkSource.TASK_HASHED.get();
  }

  /** How many input files' scans (their day or hour windows) the driver took from tasks. */
  public static long filesScannedByTasks() {
    return SparkSource.TASK_SCANNED.get();
  }

  /**
   * How many windows spilled their staged rows to the driver's disk ({@code StagedRows}, package
   * private in idem-iceberg: read by reflection).
   */
  public static long windowsSpilled() {
    try {
      java.lang.reflect.Field f =
          Class.forName("dev.idem.iceberg.StagedRows").getDeclaredField("SPILLS");
      f.setAccessible(true);
      return ((AtomicLong) f.get(null)).get();
    } catch (ReflectiveOperationException e) {
      throw new LinkageError("idem-iceberg's StagedRows.SPILLS", e);
    }
  }

  /** How many input files the driver read again itself (columns that differ, evolve or freeze). */
  public static long driverReads() {
    return SparkSource.DRIVER_READS.get();
  }

  /** How many windows of rows kept where read were planned in several slices. */
  public static long keptPlansInSlices() {
    return KEPT_PLANS_IN_SLICES.get();
  }

  /** The RDDs Spark keeps persisted (a window's kept rows, until the window ends). */
  public static int persistedRdds() {
    return session().sparkContext().getPersistentRDDs().size();
  }

  /** How many rows the reading tasks kept where they ran (they never came to the driver). */
  public static long rowsKeptByTasks() {
    return SparkSource.KEPT_ROWS.get();
  }

  /** How many records the reading tasks folded early (their key's winner was in the same part). */
  public static long tasksFolded() {
    return SparkSource.TASK_FOLDED.get();
  }
}
