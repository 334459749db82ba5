package dev.idem.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the real {@code idem} command line in a child JVM on this module's test class path (the
 * Spark engine on it, as from plugins/spark/), with the JVM options Spark needs on Java 17 (the
 * module's {@code java17-opens}, which {@code ./idem} gives the JVM for the spark engine), its
 * output in {@code child.out} and {@code child.err} of its working folder.
 */
final class ChildIdem {
  /** Spark's options, and the small-start options of idem-cli's kill suites. */
  private static final List<String> JVM_OPTIONS = jvmOptions();

  private ChildIdem() {}

  private static List<String> jvmOptions() {
    try {
      List<String> options = new ArrayList<>();
      options.addAll(
          Arrays.asList(Files.readString(Path.of("java17-opens")).strip().split("\\s+", -1)));
      options.addAll(
          List.of(
              "-Xmx512m",
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Dspark.ui.enabled=false",
              // the test JVM's: windows written by executor tasks as in process
              "-Didem.spark.executor.writes="
                  + System.getProperty("idem.spark.executor.writes", "false"),
              "-Didem.iceberg.rows.per.task="
                  + System.getProperty("idem.iceberg.rows.per.task", "10000")));
      return options;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> command(List<String> args) {
    return command(List.of(), "dev.idem.cli.Idem", args);
  }

  static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    List<String> cp = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      if (!e.isEmpty()) { // an empty entry would mean the child's working folder
        cp.add(e);
      }
    }
    cmd.add(String.join(File.pathSeparator, cp));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  static Process start(Path workDir, String... args) throws IOException {
    return start(workDir, command(List.of(args)));
  }

  /** {@code idem args} with these JVM options (fault injection: {@code -Didem.fault.pause=...}). */
  static Process start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
    return start(workDir, command(jvmOptions, "dev.idem.cli.Idem", List.of(args)));
  }

  /**
   * {@code spark-submit --master local[2] --class dev.idem.spark.Submit spark-internal args}:
   * Spark's own submitter ({@code org.apache.spark.deploy.SparkSubmit}) running idem's spark-submit
   * main class from the class path (client mode, no application jar to ship).
   */
  static Process submit(Path workDir, String... args) throws IOException {
    List<String> submit =
        new ArrayList<>(
            List.of(
                "--master",
                "local[2]",
                "--conf",
                "spark.ui.enabled=false",
                "--class",
                "dev.idem.spark.Submit",
                "spark-internal"));
    submit.addAll(List.of(args));
    return start(workDir, command(List.of(), "org.apache.spark.deploy.SparkSubmit", submit));
  }

  private static Process start(Path workDir, List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    // no scan cache: each run learns which windows its files hold (on Spark, in tasks)
    builder.environment().put("IDEM_SCAN_CACHE", "off");
    return builder
        .directory(workDir.toFile())
        .redirectOutput(workDir.resolve("child.out").toFile())
        .redirectError(workDir.resolve("child.err").toFile())
        .start();
  }

  static String out(Path workDir) throws IOException {
    return Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8);
  }

  static String err(Path workDir) throws IOException {
    return Files.exists(workDir.resolve("child.err"))
        ? Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8)
        : "";
  }
}
