package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lakehouse example end to end through the command line, with the Iceberg plugin on the class
 * path: five day windows land in an Iceberg table of a local warehouse, a second run finds them
 * unchanged, {@code status} reads the ledger from the table, {@code check} and {@code doctor} find
 * nothing wrong, and {@code idem verify} passes.
 */
class LakehouseExampleTest {
  @TempDir Path tmp;

  private Path copy() throws IOException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    Path lake = Files.createDirectories(tmp.resolve("lakehouse"));
    Files.copy(examples.resolve("lakehouse/pipeline.yaml"), lake.resolve("pipeline.yaml"));
    Path data = Files.createDirectories(tmp.resolve("orders/data"));
    try (var files = Files.list(examples.resolve("orders/data"))) {
      for (Path f : files.toList()) {
        Files.copy(f, data.resolve(f.getFileName()));
      }
    }
    return lake.resolve("pipeline.yaml");
  }

  @Test
  void runsTwiceIntoALocalWarehouseAndPassesVerify() throws IOException {
    Path pipeline = copy();
    Cli.Result first = Cli.run("run", pipeline.toString(), "--progress", "none");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("5 loaded");
    assertThat(tmp.resolve("lakehouse/warehouse/catalog.db")).exists();
    assertThat(tmp.resolve("lakehouse/warehouse/idem/orders/metadata")).isDirectory();
    assertThat(tmp.resolve("lakehouse/warehouse/idem/_idem_ledger/orders")).isDirectory();

    Cli.Result second = Cli.run("run", pipeline.toString(), "--progress", "none");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).contains("5 unchanged");

    Cli.Result status = Cli.run("status", pipeline.toString());
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("2024-03-01").contains("done");

    Cli.Result check = Cli.run("check", pipeline.toString());
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).contains("duplicate_keys");
    Cli.Result doctor = Cli.run("doctor", pipeline.toString());
    assertThat(doctor.exit()).as(doctor.out() + doctor.err()).isZero();

    Cli.Result verify = Cli.run("verify", pipeline.toString());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
  }
}
