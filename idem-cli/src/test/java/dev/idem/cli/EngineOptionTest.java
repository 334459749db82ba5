package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code --engine}: the Spark engine is a plugin (idem-spark), absent from this module's class
 * path, so asking for it is a one-line error before anything is opened; {@code --master} belongs to
 * it.
 */
class EngineOptionTest {
  private static final String ORDERS =
      Path.of("..", "examples", "orders", "pipeline.yaml").toAbsolutePath().normalize().toString();

  @Test
  void anEngineWhosePluginIsAbsentIsOneLineNamingThePluginFolder() {
    Cli.Result r = Cli.run("run", ORDERS, "--engine", "spark", "--master", "local[2]");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.errors().strip())
        .isEqualTo(
            "idem: --engine spark: no such engine on the class path (the spark engine is a plugin:"
                + " plugins/spark/ in the distribution, idem-spark/target/plugin/ in a checkout built"
                + " with ./mvnw package)");
  }

  @Test
  void masterIsForTheSparkEngine() {
    Cli.Result r = Cli.run("run", ORDERS, "--master", "local[2]");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.errors().strip()).isEqualTo("idem: --master is for --engine spark");
  }

  @Test
  void verifyTakesTheEngineOptionsOfRun() {
    Cli.Result absent = Cli.run("verify", ORDERS, "--engine", "spark");
    assertThat(absent.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(absent.errors().strip()).startsWith("idem: --engine spark: no such engine");
    Cli.Result master = Cli.run("verify", ORDERS, "--master", "local[2]");
    assertThat(master.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(master.errors().strip()).isEqualTo("idem: --master is for --engine spark");
  }
}
