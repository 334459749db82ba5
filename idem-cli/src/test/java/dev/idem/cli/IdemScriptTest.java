package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's {@code ./idem} script says on stderr, in one line, that it builds the command line
 * when the jar is missing or stale, and says nothing when the jar is fresh. Run on a copy of the
 * script in a scratch checkout whose {@code mvnw} only makes an empty jar and whose {@code java}
 * only echoes: the real build is not this test's business.
 */
class IdemScriptTest {
  @TempDir Path root;

  private record Ran(int exit, String out, String err) {}

  @Test
  void saysItBuildsOnFirstUseOnlyAndWhenTheSourcesChanged() throws Exception {
    Files.copy(Path.of("..", "idem"), root.resolve("idem"));
    executable(
        root.resolve("mvnw"),
        "#!/bin/sh\nmkdir -p idem-cli/target && : > idem-cli/target/idem-cli-0-all.jar\n");
    Path bin = Files.createDirectories(root.resolve("fake-bin"));
    executable(bin.resolve("java"), "#!/bin/sh\necho \"java $*\"\n");
    Path source = root.resolve("idem-core/src/main/java/A.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class A {}\n");
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    Instant past = Instant.now().minusSeconds(3600);
    Files.setLastModifiedTime(source, FileTime.from(past));
    Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(past));

    Ran first = idem(bin, "--version");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err())
        .isEqualTo("idem: building the command line (first run, a few minutes)...\n");
    // no plugin jar was built in this tree: the class path is the runnable jar alone
    assertThat(first.out())
        .startsWith("java -cp ")
        .endsWith("idem-cli-0-all.jar dev.idem.cli.Idem --version\n");

    Ran fresh = idem(bin, "--version");
    assertThat(fresh.err()).isEmpty();
    assertThat(fresh.out()).isEqualTo(first.out());

    Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
    Ran stale = idem(bin, "status");
    assertThat(stale.err())
        .isEqualTo("idem: rebuilding the command line (the sources changed, a few minutes)...\n");
  }

  @Test
  void theSparkEngineJoinsTheClassPathWithItsJvmOptionsOnlyForEngineSpark() throws Exception {
    Files.copy(Path.of("..", "idem"), root.resolve("idem"));
    // the fake build makes the runnable jar, and the Spark plugin's jar when asked for idem-spark
    executable(
        root.resolve("mvnw"),
        "#!/bin/sh\nmkdir -p idem-cli/target && : > idem-cli/target/idem-cli-0-all.jar\n"
            + "case \"$*\" in *idem-spark*) mkdir -p idem-spark/target &&"
            + " : > idem-spark/target/idem-spark-0.jar;; esac\n");
    Path bin = Files.createDirectories(root.resolve("fake-bin"));
    executable(bin.resolve("java"), "#!/bin/sh\necho \"java $*\"\n");
    Files.createDirectories(root.resolve("idem-spark"));
    Files.writeString(root.resolve("idem-spark/java17-opens"), "--add-opens=java.base/x=ALL\n");
    assertThat(idem(bin, "--version").out()).doesNotContain("spark").doesNotContain("--add-opens");

    Ran spark = idem(bin, "run", "p.yaml", "--engine", "spark", "--master", "local[2]");
    assertThat(spark.exit()).as(spark.err()).isZero();
    assertThat(spark.err())
        .isEqualTo(
            "idem: building the Spark engine (first run downloads Spark, a few minutes)...\n");
    assertThat(spark.out())
        .startsWith("java --add-opens=java.base/x=ALL -cp ")
        .contains("idem-spark/target/idem-spark-0.jar:")
        .endsWith(" dev.idem.cli.Idem run p.yaml --engine spark --master local[2]\n");
    assertThat(idem(bin, "run", "p.yaml", "--engine=spark").err()).isEmpty();
  }

  private Ran idem(Path bin, String... args) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(concat(List.of("bash", root.resolve("idem").toString()), List.of(args)));
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().remove("IDEM_JAVA_OPTS");
    Path out = Files.createTempFile(root, "out", ".txt");
    Path err = Files.createTempFile(root, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("./idem did not finish in 60 s");
    }
    return new Ran(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  private static void executable(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
