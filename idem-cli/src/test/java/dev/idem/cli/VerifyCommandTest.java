package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code idem verify} on the shipped examples: every example passes every check, and every pipeline
 * under {@code examples/broken} fails the check its {@code expect.properties} names, with the
 * reason it gives. Verification runs on scratch targets, so the examples' own DuckDB files are
 * never created.
 */
class VerifyCommandTest {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> goodExamples() {
    return Stream.of(
        EXAMPLES.resolve("orders/pipeline.yaml"), EXAMPLES.resolve("daily-summary/pipeline.yaml"));
  }

  static Stream<Path> brokenExamples() throws IOException {
    try (Stream<Path> dirs = Files.list(EXAMPLES.resolve("broken"))) {
      List<Path> all =
          dirs.filter(d -> Files.exists(d.resolve("expect.properties"))).sorted().toList();
      assertThat(all).hasSizeGreaterThanOrEqualTo(4);
      return all.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("goodExamples")
  void everyShippedExampleIsIdempotent(Path pipeline) throws IOException {
    Path ownFile = pipeline.resolveSibling(pipeline.getParent().getFileName() + ".duckdb");
    boolean existedBefore = Files.exists(ownFile);
    Cli.Result r = Cli.run("verify", pipeline.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("checks")).hasSizeGreaterThanOrEqualTo(14);
    for (JsonNode c : doc.get("checks")) {
      assertThat(c.get("verdict").asText()).as(c.toString()).isIn("pass", "skipped");
    }
    assertThat(doc.get("checks"))
        .filteredOn(c -> c.get("check").asText().startsWith("crash-"))
        .extracting(c -> c.get("verdict").asText())
        .containsOnly("pass")
        .hasSize(6);
    assertThat(Files.exists(ownFile))
        .as("verify must not create or touch %s", ownFile)
        .isEqualTo(existedBefore);
  }

  @ParameterizedTest
  @MethodSource("brokenExamples")
  void everyBrokenExampleFailsItsCheckForItsReason(Path dir) throws IOException {
    Properties expect = new Properties();
    try (Reader in = Files.newBufferedReader(dir.resolve("expect.properties"))) {
      expect.load(in);
    }
    Cli.Result r = Cli.run("verify", dir.resolve("pipeline.yaml").toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.FAILED);
    JsonNode doc = JSON.readTree(r.out());
    JsonNode check = null;
    for (JsonNode c : doc.get("checks")) {
      if (c.get("check").asText().equals(expect.getProperty("check"))) {
        check = c;
      }
    }
    assertThat(check).as("check %s in %s", expect.getProperty("check"), r.out()).isNotNull();
    assertThat(check.get("verdict").asText()).isEqualTo("fail");
    assertThat(check.get("detail").asText()).contains(expect.getProperty("reason"));
  }

  @Test
  void aPassingVerificationPrintsATableAndAVerdictLine() {
    Cli.Result r =
        Cli.run(
            "verify",
            EXAMPLES.resolve("orders/pipeline.yaml").toString(),
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-02");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("check", "verdict", "crash-after-commit", "orders: idempotent on 2 windows");
  }

  @Test
  void aFailingVerificationSaysSoInItsLastLine() {
    Cli.Result r =
        Cli.run(
            "verify", EXAMPLES.resolve("broken/merge-old-window-wins/pipeline.yaml").toString());
    assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("broken-merge-old-window-wins: NOT idempotent");
  }
}
