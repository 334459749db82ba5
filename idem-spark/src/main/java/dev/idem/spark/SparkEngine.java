package dev.idem.spark;

import dev.idem.cli.Engine;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.Workers;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code idem run --engine spark}: a Spark session (at {@code --master}, {@code local[*]} by
 * default) reads each window's input files in tasks of their own ({@link SparkSource}), and, on a
 * cluster, its tasks write the window's new rows as data files ({@link SparkWorkers}); the plan,
 * the ledger and the commits are the run's, unchanged. A session already running in this JVM (a
 * test's, or {@code spark-submit}'s) is used and left running; one this engine started is stopped
 * when the run ends.
 */
public final class SparkEngine implements Engine {
  /**
   * {@code -Didem.spark.executor.writes=true}: on a {@code local} master too, the destination's
   * work on data files runs as Spark tasks (a window's new rows written, the table's files looked
   * up for its keys and rewritten). On a cluster it always does; on a local master the executors
   * are threads of the driver's JVM on the driver's cores, where sending them the rows cost more
   * than it saved (docs/performance.md, Spark), so the driver does it.
   */
  static final String EXECUTOR_WRITES = "idem.spark.executor.writes";

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public Run start(PipelineDefinition definition, List<String> sets, String master) {
    boolean running = SparkSession.getDefaultSession().isDefined();
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName("idem " + definition.pipeline().name())
            .config("spark.ui.enabled", "false");
    if (master != null) {
      builder.master(master);
    } else if (!running) {
      builder.master("local[*]");
    }
    SparkSession session = builder.getOrCreate();
    JavaSparkContext context = JavaSparkContext.fromSparkContext(session.sparkContext());
    SparkSource source =
        new SparkSource(definition.pipeline().source(), context, definition.file(), sets);
    PipelineDefinition onSpark =
        new PipelineDefinition(
            definition.file(),
            definition.pipeline().withSource(source),
            definition.destination(),
            definition.lineage(),
            definition.notifier());
    return new Run() {
      @Override
      public PipelineDefinition definition() {
        return onSpark;
      }

      @Override
      public Workers workers() {
        return context.isLocal() && !Boolean.getBoolean(EXECUTOR_WRITES)
            ? Workers.IN_PROCESS
            : new SparkWorkers(context);
      }

      @Override
      public void close() {
        if (!running) {
          session.stop();
        }
      }
    };
  }
}
