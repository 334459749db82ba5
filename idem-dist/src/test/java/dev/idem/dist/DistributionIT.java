package dev.idem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged artifacts, as a user gets them, run the orders example: the distribution archive
 * unpacked and started by its {@code bin/idem}, and the runnable jar started by {@code java -jar}.
 * Each runs in a child process on a fresh copy of the example, so connectors are found from the
 * packaged class path (service files included), not from the build's module class path.
 */
class DistributionIT {
  private static final String SERVICES = "META-INF/services/";
  private static final String ALL_LOADED = "5 windows: 5 loaded, 0 unchanged, 0 failed";

  @TempDir Path tmp;
  private Path pipeline;

  @BeforeEach
  void copyTheExample() throws IOException {
    Path example = path("idem.example");
    Path copy = tmp.resolve("orders");
    Files.createDirectories(copy.resolve("data"));
    Files.copy(example.resolve("pipeline.yaml"), copy.resolve("pipeline.yaml"));
    try (Stream<Path> csv = Files.list(example.resolve("data"))) {
      for (Path f : csv.filter(f -> f.getFileName().toString().endsWith(".csv")).toList()) {
        Files.copy(f, copy.resolve("data").resolve(f.getFileName()));
      }
    }
    pipeline = copy.resolve("pipeline.yaml");
  }

  @Test
  void theUnpackedArchiveRunsTheExampleWithBinIdem() throws Exception {
    Path home = unpack();
    assertThat(home.resolve("bin/idem")).isExecutable();
    assertThat(home.resolve("plugins/README")).isRegularFile();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(f -> f.getFileName().toString()))
          .anyMatch(f -> f.startsWith("idem-cli-"))
          .anyMatch(f -> f.startsWith("idem-jdbc-"))
          .anyMatch(f -> f.startsWith("idem-files-"))
          .anyMatch(f -> f.startsWith("idem-kafka-"))
          .anyMatch(f -> f.startsWith("idem-http-"))
          .noneMatch(f -> f.endsWith("-all.jar"))
          .anyMatch(f -> f.startsWith("logback-classic-"))
          .noneMatch(f -> f.startsWith("slf4j-simple-"))
          .noneMatch(f -> f.startsWith("idem-iceberg-") || f.startsWith("iceberg-"))
          .noneMatch(f -> f.startsWith("hadoop-"))
          // the Parquet source reads with parquet-hadoop from plugins/iceberg
          .noneMatch(f -> f.startsWith("parquet-"))
          .contains("libduckdb_java.so_linux_amd64");
    }
    // Iceberg with Hadoop is a plugin folder, never in lib/
    try (Stream<Path> iceberg = Files.list(home.resolve("plugins/iceberg"))) {
      assertThat(iceberg.map(f -> f.getFileName().toString()))
          .anyMatch(f -> f.startsWith("idem-iceberg-"))
          .anyMatch(f -> f.startsWith("iceberg-core-"))
          .anyMatch(f -> f.startsWith("hadoop-client-api-"))
          .noneMatch(f -> f.startsWith("hadoop-common-"))
          .noneMatch(f -> f.startsWith("idem-core-"));
    }
    Result version = run(tmp, List.of(home.resolve("bin/idem").toString(), "--version"));
    assertThat(version.exit).as(version.output).isZero();
    assertThat(version.output).matches("idem \\S+ \\(commit ([0-9a-f]{7,40}|unknown)\\)\\R");
    // a plugin folder, even an empty one, goes on the class path without disturbing the rest
    Files.createDirectories(home.resolve("plugins/empty"));

    Result first =
        run(tmp, List.of(home.resolve("bin/idem").toString(), "run", pipeline.toString()));
    assertThat(first.exit).as(first.output).isZero();
    assertThat(first.output).contains(ALL_LOADED);
    assertThat(pipeline.resolveSibling("orders.duckdb")).isRegularFile();

    Result again =
        run(tmp, List.of(home.resolve("bin/idem").toString(), "run", pipeline.toString()));
    assertThat(again.exit).as(again.output).isZero();
    assertThat(again.output).contains("5 windows: 0 loaded, 5 unchanged, 0 failed");
  }

  /**
   * plugins/spark holds the Spark engine and joins the class path only for {@code --engine spark}
   * (or {@code --engine=spark}), with the JVM options Spark needs on Java 17; the unpacked archive
   * then runs examples/lakehouse (the orders, one day a window, into a local Iceberg warehouse) on
   * Spark {@code local[1]} (Spark's event log holds its tasks), and the JVM runner finds every
   * window unchanged.
   */
  @Test
  void theSparkPluginIsOnTheClassPathOnlyForTheSparkEngineAndRunsALakehouse() throws Exception {
    Path home = unpack();
    String idem = home.resolve("bin/idem").toString();
    try (Stream<Path> spark = Files.list(home.resolve("plugins/spark"))) {
      assertThat(spark.map(f -> f.getFileName().toString()))
          .anyMatch(f -> f.startsWith("idem-spark-") && f.endsWith(".jar"))
          .anyMatch(f -> f.startsWith("spark-core_2.13-"))
          .anyMatch(f -> f.startsWith("scala-library-"))
          .contains("java17-opens")
          // nothing lib/ or plugins/iceberg/ holds already: one DuckDB driver, one Hadoop client
          .noneMatch(f -> f.startsWith("idem-cli-") || f.startsWith("idem-core-"))
          .noneMatch(f -> f.startsWith("duckdb_jdbc-"))
          .noneMatch(f -> f.startsWith("hadoop-client-"))
          .noneMatch(f -> f.startsWith("iceberg-"))
          .noneMatch(f -> f.startsWith("logback-") || f.startsWith("slf4j-"));
    }
    assertThat(Files.readString(home.resolve("plugins/spark/java17-opens")))
        .contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    // the JVM prints its class path (wildcards expanded) and system properties, then runs idem,
    // which stops at the missing file
    String show = "-XshowSettings:properties";
    String missing = tmp.resolve("missing.yaml").toString();
    Result plain = run(tmp, List.of(idem, "run", missing), show);
    assertThat(plain.exit).as(plain.output).isNotZero();
    assertThat(plain.output)
        .contains("/plugins/iceberg/idem-iceberg-")
        .doesNotContain("/plugins/spark/")
        .doesNotContain("jdk.reflect.useDirectMethodHandle");
    Result jvm = run(tmp, List.of(idem, "run", missing, "--engine", "jvm"), show);
    assertThat(jvm.exit).as(jvm.output).isNotZero();
    assertThat(jvm.output)
        .contains("/plugins/iceberg/idem-iceberg-")
        .doesNotContain("/plugins/spark/");
    for (List<String> engine : List.of(List.of("--engine", "spark"), List.of("--engine=spark"))) {
      List<String> command = new ArrayList<>(List.of(idem, "run", missing));
      command.addAll(engine);
      Result spark = run(tmp, command, show);
      assertThat(spark.exit).as(spark.output).isNotZero();
      assertThat(spark.output)
          .as(String.join(" ", engine))
          .contains("/plugins/iceberg/idem-iceberg-")
          .contains("/plugins/spark/idem-spark-")
          .contains("jdk.reflect.useDirectMethodHandle = false");
    }

    Path lakehouse = tmp.resolve("lakehouse/pipeline.yaml");
    Files.createDirectories(lakehouse.getParent());
    // its source, ../orders/data/orders-*.csv, is the copy of examples/orders beside it
    Files.copy(path("idem.example.lakehouse").resolve("pipeline.yaml"), lakehouse);
    // Spark's event log (its SparkConf takes spark.* system properties) shows Spark ran the tasks
    Path events = Files.createDirectories(tmp.resolve("spark-events"));
    Result spark =
        run(
            tmp,
            List.of(idem, "run", lakehouse.toString(), "--engine", "spark", "--master", "local[1]"),
            "-Dspark.eventLog.enabled=true -Dspark.eventLog.compress=false -Dspark.eventLog.dir="
                + events.toUri(),
            5);
    assertThat(spark.exit).as(spark.output).isZero();
    assertThat(spark.output).contains(ALL_LOADED);
    StringBuilder log = new StringBuilder();
    // Spark 4 rolls its event log (a folder of files per application) and compresses it unless told
    try (Stream<Path> files = Files.walk(events)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        log.append(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    assertThat(log)
        .as("Spark's event log")
        .contains("\"spark.master\":\"local[1]\"")
        .contains("SparkListenerTaskEnd");
    Result again = run(tmp, List.of(idem, "run", lakehouse.toString()));
    assertThat(again.exit).as(again.output).isZero();
    assertThat(again.output).contains("5 windows: 0 loaded, 5 unchanged, 0 failed");

    // an archive slimmed of its Spark plugin says so in one line
    try (Stream<Path> plugin = Files.list(home.resolve("plugins/spark"))) {
      for (Path f : plugin.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(home.resolve("plugins/spark"));
    Result absent = run(tmp, List.of(idem, "run", lakehouse.toString(), "--engine", "spark"));
    assertThat(absent.exit).as(absent.output).isNotZero();
    assertThat(absent.output.strip())
        .startsWith("idem: --engine spark: no such engine on the class path")
        .doesNotContain("\n");
  }

  @Test
  void theRunnableJarRunsTheExample() throws Exception {
    Path jar = path("idem.cli.jar");
    assertThat(jar).as("the runnable jar; build idem-cli first (package)").isRegularFile();
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

    Result result = run(tmp, List.of(java, "-jar", jar.toString(), "run", pipeline.toString()));
    assertThat(result.exit).as(result.output).isZero();
    assertThat(result.output).contains(ALL_LOADED);
  }

  /**
   * DuckDB's driver copies its 57 MB native library into java.io.tmpdir at every start when its jar
   * holds it, and a killed process never deletes the copy. Both packagings load it from beside the
   * driver's jar instead: a run halted right after its first commit leaves nothing behind.
   */
  @Test
  void aKilledRunLeavesNoCopyOfDuckDbsNativeLibraryBehind() throws Exception {
    Path home = unpack();
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Path scratch = Files.createTempDirectory(tmp, "java-tmp");
    String tmpdir = "-Djava.io.tmpdir=" + scratch;
    String halt = "-Didem.fault.halt=after_commit";
    String yaml = pipeline.toString();

    Result dist =
        run(tmp, List.of(home.resolve("bin/idem").toString(), "run", yaml), tmpdir + " " + halt);
    assertHaltedLeavingNothing("bin/idem", dist, scratch);
    // the first window is done now; this run loads the second and halts after its commit
    Result jar =
        run(tmp, List.of(java, tmpdir, halt, "-jar", path("idem.cli.jar").toString(), "run", yaml));
    assertHaltedLeavingNothing("java -jar", jar, scratch);
  }

  private static void assertHaltedLeavingNothing(String how, Result halted, Path scratch)
      throws IOException {
    assertThat(halted.exit).as(how + ": " + halted.output).isEqualTo(137);
    assertThat(halted.output).as(how).contains("halting at");
    try (Stream<Path> left = Files.list(scratch)) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .as(how + ": left in java.io.tmpdir")
          .noneMatch(f -> f.startsWith("libduckdb"));
    }
  }

  /**
   * Connectors, JDBC drivers and libraries register themselves in META-INF/services; the runnable
   * jar merges those files (ServicesResourceTransformer) instead of keeping one jar's copy. The one
   * jar it does not hold, DuckDB's driver, its manifest names beside it, where the build put it.
   */
  @Test
  void theRunnableJarKeepsEveryServiceRegistrationOfTheJarsItHolds() throws Exception {
    Path runnable = path("idem.cli.jar");
    String beside;
    try (JarFile jar = new JarFile(runnable.toFile())) {
      beside = jar.getManifest().getMainAttributes().getValue("Class-Path");
    }
    assertThat(beside).startsWith("duckdb/duckdb_jdbc-");
    assertThat(runnable.resolveSibling(beside)).isRegularFile();
    Map<String, Set<String>> expected = new TreeMap<>();
    try (Stream<Path> lib = Files.list(unpack().resolve("lib"))) {
      for (Path jar :
          lib.filter(f -> f.toString().endsWith(".jar"))
              .filter(f -> !beside.endsWith("/" + f.getFileName()))
              .toList()) {
        services(jar)
            .forEach(
                (service, providers) ->
                    expected.computeIfAbsent(service, k -> new TreeSet<>()).addAll(providers));
      }
    }
    assertThat(expected)
        .as("the JDBC drivers register java.sql.Driver")
        .containsKey("java.sql.Driver");
    Map<String, Set<String>> merged = services(runnable);
    expected.forEach(
        (service, providers) -> assertThat(merged.get(service)).as(service).containsAll(providers));
  }

  /** The providers each META-INF/services file of a jar names, comments and blanks left out. */
  private static Map<String, Set<String>> services(Path jar) throws IOException {
    Map<String, Set<String>> found = new TreeMap<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        String name = e.getName();
        if (!name.startsWith(SERVICES) || e.isDirectory() || name.length() == SERVICES.length()) {
          continue;
        }
        Set<String> providers =
            found.computeIfAbsent(name.substring(SERVICES.length()), k -> new TreeSet<>());
        try (InputStream in = zip.getInputStream(e)) {
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .map(l -> l.replaceAll("#.*", "").strip())
              .filter(l -> !l.isEmpty())
              .forEach(providers::add);
        }
      }
    }
    return found;
  }

  /** The archive unpacked in a fresh folder: its top folder, idem-VERSION. */
  private Path unpack() throws IOException, InterruptedException {
    Path archive = path("idem.dist.archive");
    Path unpacked = Files.createTempDirectory(tmp, "unpacked");
    Result untar = run(unpacked, List.of("tar", "-xzf", archive.toString()));
    assertThat(untar.exit).as(untar.output).isZero();
    return unpacked.resolve(archive.getFileName().toString().replace(".tar.gz", ""));
  }

  private static Path path(String property) {
    String value = System.getProperty(property);
    assertThat(value)
        .as("system property " + property + " (set by the failsafe configuration)")
        .isNotNull();
    return Paths.get(value).toAbsolutePath().normalize();
  }

  private record Result(int exit, String output) {}

  /**
   * Runs a child process with this JVM's java as JAVA_HOME, output and errors together, at most two
   * minutes.
   */
  private static Result run(Path dir, List<String> command)
      throws IOException, InterruptedException {
    return run(dir, command, "");
  }

  /** As {@link #run(Path, List)}, with IDEM_JAVA_OPTS set to these JVM options (if not blank). */
  private static Result run(Path dir, List<String> command, String javaOptions)
      throws IOException, InterruptedException {
    return run(dir, command, javaOptions, 2);
  }

  /** As {@link #run(Path, List, String)}, at most this many minutes. */
  private static Result run(Path dir, List<String> command, String javaOptions, int minutes)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(new ArrayList<>(command))
            .directory(dir.toFile())
            .redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("IDEM_JAVA_OPTS");
    if (!javaOptions.isBlank()) {
      builder.environment().put("IDEM_JAVA_OPTS", javaOptions);
    }
    Path log = Files.createTempFile(dir, "child", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          command
              + " did not end within "
              + minutes
              + " minutes:\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
