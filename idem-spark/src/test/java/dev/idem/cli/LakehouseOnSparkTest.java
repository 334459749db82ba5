package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/lakehouse with {@code --engine spark --master local[2]}: its five days land, and the JVM
 * runner then finds every one unchanged.
 */
@Tag("spark")
class LakehouseOnSparkTest {
  @TempDir Path tmp;

  @Test
  void theLakehouseExampleRunsOnSparkAndIsUnchangedForTheJvmRunner() throws IOException {
    SharedSpark.session();
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    Path lake = Files.createDirectories(tmp.resolve("lakehouse"));
    Files.copy(examples.resolve("lakehouse/pipeline.yaml"), lake.resolve("pipeline.yaml"));
    Path data = Files.createDirectories(tmp.resolve("orders/data"));
    try (var files = Files.list(examples.resolve("orders/data"))) {
      for (Path f : files.toList()) {
        Files.copy(f, data.resolve(f.getFileName()));
      }
    }
    String pipeline = lake.resolve("pipeline.yaml").toString();
    Cli.Result spark =
        Cli.run("run", pipeline, "--progress", "none", "--engine", "spark", "--master", "local[2]");
    assertThat(spark.exit()).as(spark.out() + spark.err()).isZero();
    assertThat(spark.out()).contains("5 loaded");
    Cli.Result jvm = Cli.run("run", pipeline, "--progress", "none");
    assertThat(jvm.exit()).as(jvm.out() + jvm.err()).isZero();
    assertThat(jvm.out()).contains("5 unchanged");
  }
}
