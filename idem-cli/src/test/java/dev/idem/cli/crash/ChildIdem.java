package dev.idem.cli.crash;

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

  private ChildIdem() {}

  public static Process start(Path workDir, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.idem.cli.Idem");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
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
