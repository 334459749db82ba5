package dev.idem.spark;

import dev.idem.TransientException;
import dev.idem.context.Workers;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A destination's pieces of work run as one Spark job, a task per input, on the session's
 * executors: a window's new rows written as data files where they run ({@code idem-iceberg}), while
 * the driver keeps the plan and the commit.
 */
final class SparkWorkers implements Workers {
  private final JavaSparkContext spark;

  SparkWorkers(JavaSparkContext spark) {
    this.spark = spark;
  }

  @Override
  public int parallelism() {
    return spark.defaultParallelism();
  }

  @Override
  public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
    if (inputs.isEmpty()) {
      return List.of();
    }
    spark.setJobDescription(description);
    try {
      return spark.parallelize(inputs, inputs.size()).map(task::apply).collect();
    } catch (Exception e) { // SparkException is checked, though collect() does not declare it
      throw new TransientException(
          "Spark job '" + description + "' failed: " + firstLine(e.getMessage()), e);
    }
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
