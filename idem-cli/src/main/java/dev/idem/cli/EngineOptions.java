package dev.idem.cli;

import dev.idem.ConfigException;
import picocli.CommandLine.Option;

/** {@code --engine} and {@code --master}: where a command's windows are read (run, verify). */
final class EngineOptions {
  @Option(
      names = "--engine",
      paramLabel = "NAME",
      defaultValue = "jvm",
      description = {
        "Where windows are read: jvm (this process, the default) or spark (Spark tasks, one per input file;",
        "needs the spark plugin). The plan, the ledger and each window's commit are the same."
      })
  String engine;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description =
          "With --engine spark: the Spark master (local[2], spark://host:7077, yarn, k8s://...).")
  String master;

  /**
   * The engine of {@code --engine} when it is not the JVM's (null for the JVM runner); a one-line
   * error when its plugin is absent, or for {@code --master} without it.
   */
  Engine plugin() {
    if (!engine.equals("jvm")) {
      return Engine.named(engine, EngineOptions.class.getClassLoader());
    }
    if (master != null) {
      throw new ConfigException("--master is for --engine spark");
    }
    return null;
  }
}
