package dev.idem.cli.crash;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code idem} command line in a child JVM, the way a scheduler would. */
public final class ChildIdem {
  public record Result(int exit, String stdout, String stderr) {}

  /**
   * The child JVM's options: a small heap, and the client compiler only with the serial collector.
   * A child runs for seconds, mostly starting up, so C2's compile threads and the parallel
   * collector's threads cost CPU it never earns back: on a 2-core machine these options halve the
   * CPU one child run takes (measured on the orders example: 4.7 s of user time down to 2.1 s), and
   * the kill suites start a few hundred children. What runs is the same program.
   */
  public static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /**
   * The tests' class path, with DuckDB's driver taken from {@code target/duckdb/} as {@code ./idem}
   * and the distribution run it: without its native libraries inside, which lie beside it, so a
   * child neither unpacks 57 MB at its start nor leaves the copy behind when it is killed.
   */
  private static final String CLASS_PATH = classPath();

  private ChildIdem() {}

  private static String classPath() {
    Path unpacked = Path.of("target", "duckdb").toAbsolutePath();
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.startsWith("duckdb_jdbc-") && name.endsWith(".jar")) {
        Path driver = unpacked.resolve(name);
        if (!Files.isRegularFile(driver)) {
          throw new IllegalStateException(driver + " is missing: idem-cli's build unpacks it");
        }
        entry = driver.toString();
      }
      entries.add(entry);
    }
    return String.join(File.pathSeparator, entries);
  }

  /** The command that runs {@code idem args} in a child JVM with these extra JVM options. */
  public static List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(CLASS_PATH);
    cmd.add("dev.idem.cli.Idem");
    cmd.addAll(List.of(args));
    return cmd;
  }

  public static Process start(Path workDir, List<String> jvmOptions, String... args)
      throws IOException {
    return new ProcessBuilder(command(jvmOptions, args))
        .directory(workDir.toFile())
        .redirectOutput(workDir.resolve("child.out").toFile())
        .redirectError(workDir.resolve("child.err").toFile())
        .start();
  }

  public static Result run(Path workDir, List<String> jvmOptions, String... args) throws Exception {
    Process p = start(workDir, jvmOptions, args);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("idem " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Result(
        p.exitValue(),
        Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8),
        Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8));
  }
}
