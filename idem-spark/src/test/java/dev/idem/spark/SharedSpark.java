package dev.idem.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one {@code local[2]} Spark session of this module's test JVM: started by the first test that
 * needs it, stopped by Spark's shutdown hook when the JVM exits (a session takes seconds to start,
 * so no test class starts its own). The engine uses a session already running and leaves it so.
 */
public final class SharedSpark {
  private static SparkSession session;

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
    }
    return session;
  }
}
