package dev.idem.cli.crash;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

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
   * This test JVM's own scratch folder under {@code target/children}: fresh for every test JVM, so
   * that a folder left by an earlier run (without {@code mvn clean}) is never written into.
   */
  private static final Path SCRATCH;

  /**
   * The tests' class path as jars only, with DuckDB's driver taken from {@code target/duckdb/} as
   * {@code ./idem} and the distribution run it: without its native libraries inside, which lie
   * beside it, so a child neither unpacks 57 MB at its start nor leaves the copy behind when it is
   * killed. Class folders (this module's classes and test classes) are packed into jars, because a
   * class-data archive ({@link #SHARED_CLASSES}) accepts no non-empty folder on the class path.
   */
  private static final String CLASS_PATH;

  static {
    try {
      SCRATCH =
          Files.createTempDirectory(
              Files.createDirectories(Path.of("target", "children").toAbsolutePath()), "jvm-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CLASS_PATH = classPath();
  }

  /**
   * A dynamic class-data sharing archive of the classes a child loads to run the orders example,
   * made once per test JVM: each child then maps them instead of loading and verifying them again,
   * a fifth less CPU for a start (measured on the orders example with this class path: 2.6-2.8 s of
   * user time down to 2.1-2.2 s), and the suites start a few hundred children. Unified JVM logging
   * is kept off stdout, so that a child whose archive cannot be mapped (it then loads its classes
   * as usual) prints nothing a test reads. Empty when the archive could not be made.
   */
  private static final List<String> SHARED_CLASSES = sharedClasses();

  private static final String MAIN = "dev.idem.cli.Idem";

  private ChildIdem() {}

  private static String classPath() {
    try {
      Path unpacked = Path.of("target", "duckdb").toAbsolutePath();
      List<String> entries = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
        if (entry.isEmpty()) {
          continue; // an empty entry would mean the working folder, where the children run
        }
        Path path = Path.of(entry);
        String name = path.getFileName().toString();
        if (name.startsWith("duckdb_jdbc-") && name.endsWith(".jar")) {
          path = unpacked.resolve(name);
          if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: idem-cli's build unpacks it");
          }
        } else if (Files.isDirectory(path)) {
          path = jar(path, SCRATCH.resolve(entries.size() + "-" + name + ".jar"));
        }
        entries.add(path.toString());
      }
      return String.join(File.pathSeparator, entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path jar(Path folder, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(folder.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  private static List<String> sharedClasses() {
    try {
      Path dir = SCRATCH.resolve("warm-up");
      Path example = Path.of("..", "examples", "orders");
      Files.createDirectories(dir.resolve("data"));
      Files.copy(example.resolve("pipeline.yaml"), dir.resolve("pipeline.yaml"));
      try (Stream<Path> csv = Files.list(example.resolve("data"))) {
        for (Path f : csv.toList()) {
          Files.copy(f, dir.resolve("data").resolve(f.getFileName()));
        }
      }
      Path archive = dir.resolveSibling("children.jsa");
      Result r =
          run(
              dir,
              command(
                  List.of(),
                  List.of("-XX:ArchiveClassesAtExit=" + archive),
                  "run",
                  "pipeline.yaml"));
      if (r.exit() == 0 && Files.isRegularFile(archive)) {
        return List.of(
            "-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-Xlog:all=error:stderr");
      }
      System.err.println("ChildIdem: no class-data archive, children start without: " + r);
    } catch (Exception e) {
      System.err.println("ChildIdem: no class-data archive, children start without: " + e);
    }
    return List.of();
  }

  /** The command that runs {@code idem args} in a child JVM with these extra JVM options. */
  public static List<String> command(List<String> jvmOptions, String... args) {
    return command(SHARED_CLASSES, jvmOptions, args);
  }

  private static List<String> command(
      List<String> classData, List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(classData);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(CLASS_PATH);
    cmd.add(MAIN);
    cmd.addAll(List.of(args));
    return cmd;
  }

  public static Process start(Path workDir, List<String> jvmOptions, String... args)
      throws IOException {
    return start(workDir, command(jvmOptions, args));
  }

  private static Process start(Path workDir, List<String> command) throws IOException {
    return new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectOutput(workDir.resolve("child.out").toFile())
        .redirectError(workDir.resolve("child.err").toFile())
        .start();
  }

  public static Result run(Path workDir, List<String> jvmOptions, String... args) throws Exception {
    return run(workDir, command(jvmOptions, args));
  }

  private static Result run(Path workDir, List<String> command) throws Exception {
    Process p = start(workDir, command);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      List<String> args = command.subList(command.indexOf(MAIN) + 1, command.size());
      throw new AssertionError("idem " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Result(
        p.exitValue(),
        Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8),
        Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8));
  }
}
