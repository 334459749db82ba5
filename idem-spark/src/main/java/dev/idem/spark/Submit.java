package dev.idem.spark;

import dev.idem.cli.Idem;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The main class for {@code spark-submit}: {@code spark-submit --class dev.idem.spark.Submit
 * idem-spark.jar run pipeline.yaml}. The session takes its master and settings from the SparkConf
 * spark-submit made ({@code --master}, {@code --conf}); {@code run} and {@code verify} get {@code
 * --engine spark} unless they name an engine, and the engine uses this session (it leaves a running
 * session running). The session is stopped when the command ends, and the JVM exits with the
 * command's exit code.
 */
public final class Submit {
  private Submit() {}

  public static void main(String[] args) {
    SparkSession session = SparkSession.builder().appName("idem").getOrCreate();
    int exit;
    try {
      exit = Idem.standard().execute(withEngine(args));
    } finally {
      session.stop();
    }
    System.exit(exit);
  }

  /** {@code args} with {@code --engine spark} after a run or verify command that names none. */
  static String[] withEngine(String[] args) {
    List<String> all = new ArrayList<>(List.of(args));
    boolean named = all.stream().anyMatch(a -> a.equals("--engine") || a.startsWith("--engine="));
    if (!all.isEmpty() && (all.get(0).equals("run") || all.get(0).equals("verify")) && !named) {
      all.addAll(1, List.of("--engine", "spark"));
    }
    return all.toArray(String[]::new);
  }
}
