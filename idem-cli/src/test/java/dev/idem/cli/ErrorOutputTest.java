package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --output json} on errors: one JSON object on stdout, the one-line message on stderr. */
class ErrorOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Path brokenPipeline() throws IOException {
    Path orders = SchedulerFlagsTest.copyOrders(tmp);
    String text = Files.readString(orders).replace("strategy: merge", "strategy: mrege");
    Files.writeString(orders, text);
    return orders;
  }

  @Test
  void aPipelineFileErrorSaysWhereAsJson() throws IOException {
    Path broken = brokenPipeline();
    int line = Files.readAllLines(broken).indexOf("  strategy: mrege" + trailing(broken)) + 1;

    Cli.Result r = Cli.run("run", broken.toString(), "--output", "json");

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("error").asText()).contains("target.strategy: unknown strategy 'mrege'");
    assertThat(doc.get("exit_code").asInt()).isEqualTo(ExitCode.USAGE);
    assertThat(doc.get("file").asText()).endsWith("pipeline.yaml");
    assertThat(doc.get("line").asInt()).isEqualTo(line).isPositive();
    assertThat(doc.get("column").asInt()).isPositive();
    assertThat(r.err()).startsWith("idem: ").contains("unknown strategy 'mrege'");
  }

  /** The comment after {@code strategy: merge} in the orders example, kept by the replacement. */
  private static String trailing(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("  strategy: mrege"))
        .findFirst()
        .orElseThrow()
        .substring("  strategy: mrege".length());
  }

  @Test
  void aUsageErrorIsJsonWithoutAPlace() throws IOException {
    Cli.Result r = Cli.run("run", "--output=json", "--no-such-flag", "x.yaml");

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("error").asText()).contains("--no-such-flag");
    assertThat(doc.get("exit_code").asInt()).isEqualTo(ExitCode.USAGE);
    assertThat(doc.get("file").isNull()).isTrue();
    assertThat(doc.get("line").isNull()).isTrue();
  }

  @Test
  void jsonErrorsCanBeAskedForFromTheEnvironment() throws IOException {
    Cli.Result r = Cli.run(Map.of("IDEM_OUTPUT", "json"), "status", brokenPipeline().toString());

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(JSON.readTree(r.out()).get("line").asInt()).isPositive();
  }

  @Test
  void textOutputPrintsNothingOnStdout() throws IOException {
    Cli.Result r = Cli.run("run", brokenPipeline().toString());

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("unknown strategy 'mrege'");
  }
}
