package dev.idem.spark;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The one {@code local[2]} Spark session of this module's test JVM: started by the first test that
 * needs it, stopped by Spark's shutdown hook when the JVM exits (a session takes seconds to start,
 * so no test class starts its own). The engine uses a session already running and leaves it so.
 */
public final class SharedSpark {
  private static SparkSession session;

  /** Tasks of the session that ended, counted by a listener (Spark reports them asynchronously). */
  private static final AtomicLong TASKS_ENDED = new AtomicLong();

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
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                  TASKS_ENDED.incrementAndGet();
                }
              });
    }
    return session;
  }

  /** How many tasks ended so far (wait for the count: the listener runs behind the jobs). */
  public static long tasksEnded() {
    return TASKS_ENDED.get();
  }
}
