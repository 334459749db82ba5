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

  private ChildIdem() {}

  public static Process start(Path workDir, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
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
