package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.connector.Secrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line's logs, through the real CLI in process: the runner's decisions at info on
 * stderr (never on stdout), as text or JSON lines carrying the pipeline, run and window, silenced
 * by {@code -q}, with every secret masked.
 */
class LogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path pipeline;

  /** Two day windows of orders, into the default DuckDB file next to the pipeline. */
  @BeforeEach
  void twoDays() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/orders.csv"),
        "order_id,customer,amount,ingested_at\n"
            + "1,ada,10.00,2024-03-01 08:00:00\n"
            + "2,bob,12.50,2024-03-01 09:00:00\n"
            + "3,cy,7.25,2024-03-02 10:00:00\n");
    pipeline = dir.resolve("pipeline.yaml");
    Files.writeString(pipeline, yaml("orders"));
  }

  private static String yaml(String name) {
    return OrdersPipeline.yaml(name, "data/*.csv", null, "jdbc:duckdb:orders.duckdb", "")
        .replace("destination:\n  url: jdbc:duckdb:orders.duckdb\n", "");
  }

  @Test
  void verboseLogsEachDecisionOnStderrAndNothingOnStdout() {
    Cli.Result first = Cli.run("run", pipeline.toString(), "-v", "--run-id", "first");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err())
        .contains(
            "INFO  Runner - 2 window(s) planned for pipeline orders: 2024-03-01 .. 2024-03-02")
        .contains("window 2024-03-01: claimed by ")
        .containsPattern("window 2024-03-01: claimed by \\S+, fencing token \\d+, lease until ")
        .containsPattern(
            "window 2024-03-01: committed in \\d+ ms: read 2, inserted 2, updated 0, unchanged 0,"
                + " skipped 0, deleted 0, dead letters 0, target rows 2")
        .contains("window 2024-03-02: committed in ");
    assertThat(first.out()).doesNotContain("INFO").doesNotContain("Runner -");

    Cli.Result again = Cli.run("run", pipeline.toString(), "--verbose", "--run-id", "again");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err())
        .containsPattern(
            "INFO  Runner - window 2024-03-01: skipped, unchanged since run first: same input"
                + " fingerprint \\S+ and definition, the target still holds its 2 row\\(s\\)")
        .contains("window 2024-03-02: skipped, unchanged since run first")
        .doesNotContain("claimed by")
        .doesNotContain("committed in");
  }

  @Test
  void debugSaysWhyAWindowIsLoaded() throws Exception {
    Cli.Result first = Cli.run("run", pipeline.toString(), "--log-level", "debug");
    assertThat(first.err())
        .contains("DEBUG Runner - window 2024-03-01: planned (2024-03-01T00:00:00Z .. ")
        .contains("DEBUG Runner - window 2024-03-01: to load: never loaded");
    // a CSV source's fingerprint covers its files: every window of a changed file is looked at
    Files.writeString(
        dir.resolve("data/orders.csv"),
        "4,dee,1.00,2024-03-02 11:00:00\n",
        StandardOpenOption.APPEND);
    Cli.Result changed = Cli.run("run", pipeline.toString(), "--log-level", "DEBUG");
    assertThat(changed.err())
        .containsPattern("window 2024-03-01: to load: input changed \\(fingerprint \\S+ -> \\S+\\)")
        .contains("window 2024-03-01: committed in ")
        .contains("read 2, inserted 0, updated 0, unchanged 2")
        .contains("read 2, inserted 1, updated 0, unchanged 1");
    Cli.Result forced = Cli.run("run", pipeline.toString(), "--log-level", "debug", "--force");
    assertThat(forced.err()).contains("window 2024-03-02: to load: forced");
  }

  /** IDEM_LOG_LEVEL=info (a scheduler's default for every task) logs; -q silences it. */
  @Test
  void quietWinsOverTheLevelFromTheEnvironment() {
    Map<String, String> env = Map.of("IDEM_LOG_LEVEL", "info");
    Cli.Result quiet = Cli.run(env, "run", pipeline.toString(), "-q");
    assertThat(quiet.exit()).as(quiet.err()).isZero();
    assertThat(quiet.err()).isEmpty();
    assertThat(quiet.out()).contains("2 windows: 2 loaded");

    Cli.Result info = Cli.run(env, "run", pipeline.toString(), "--run-id", "info");
    assertThat(info.err()).contains("INFO  Runner - window 2024-03-01: skipped, unchanged");
    Cli.Result plain = Cli.run("run", pipeline.toString());
    assertThat(plain.errors()).as("warn by default: only the window lines").isEmpty();
    assertThat(plain.err()).as("the window lines are there").isNotEmpty();
  }

  @Test
  void jsonLinesCarryLevelLoggerMessageAndTheWindow() throws Exception {
    Cli.Result r =
        Cli.run("run", pipeline.toString(), "--log-format", "json", "-v", "--run-id", "r-42");
    assertThat(r.exit()).as(r.err()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.err().lines().toList()) {
      lines.add(JSON.readTree(line)); // every line is one JSON object
    }
    assertThat(lines).isNotEmpty();
    assertThat(lines)
        .allSatisfy(
            l -> {
              assertThat(l.path("level").asText()).isIn("INFO", "WARN", "ERROR");
              assertThat(l.path("loggerName").asText()).isNotEmpty();
              assertThat(l.path("timestamp").asLong()).isPositive();
            });
    JsonNode committed =
        lines.stream()
            .filter(l -> l.path("formattedMessage").asText().startsWith("window 2024-03-02: comm"))
            .findFirst()
            .orElseThrow();
    assertThat(committed.path("level").asText()).isEqualTo("INFO");
    assertThat(committed.path("loggerName").asText()).isEqualTo("dev.idem.run.Runner");
    assertThat(committed.path("formattedMessage").asText()).contains("read 1, inserted 1");
    assertThat(committed.path("mdc").path("window").asText()).isEqualTo("2024-03-02");
    assertThat(committed.path("mdc").path("pipeline").asText()).isEqualTo("orders");
    assertThat(committed.path("mdc").path("run").asText()).isEqualTo("r-42");
    assertThat(r.out()).doesNotContain("formattedMessage");
  }

  /**
   * A value from {@code ${env:...}} (here the pipeline's name, which every decision line and every
   * JSON line's MDC carries) is masked in text and JSON lines, stdout included.
   */
  @Test
  void aSecretFromTheEnvironmentIsInNoLogLine() throws Exception {
    String secret = "zq7hunter2secret";
    Files.writeString(pipeline, yaml("${env:PIPELINE_NAME}"));
    Map<String, String> env = Map.of("PIPELINE_NAME", secret);
    for (List<String> options :
        List.of(
            List.of("-v"),
            List.of("--log-level", "debug"),
            List.of("--log-format", "json", "--log-level", "debug"))) {
      List<String> args = new ArrayList<>(List.of("run", pipeline.toString(), "--force"));
      args.addAll(options);
      Cli.Result r = Cli.run(env, args.toArray(String[]::new));
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).as("%s", options).contains("***").contains("2024-03-02");
      assertThat(r.out() + r.err()).as("%s", options).doesNotContain(secret);
    }
  }

  /** JSON escapes a secret's quote and backslash: the escaped form is masked too. */
  @Test
  void aSecretIsMaskedAsJsonWritesIt() throws Exception {
    String secret = "p\"w\\d/9";
    Secrets secrets = new Secrets();
    secrets.add(secret);
    String err =
        logged(
            Level.INFO,
            LogOptions.LogFormat.json,
            secrets,
            () -> LoggerFactory.getLogger("dev.idem.test").info("connecting with {}", secret));
    JsonNode line = JSON.readTree(err);
    assertThat(line.path("formattedMessage").asText()).isEqualTo("connecting with ***");
    assertThat(err).doesNotContain("w\\\\d").doesNotContain("p\\\"w");
  }

  /**
   * Kafka's client logs its whole configuration at info, Spark every task of every job (and its
   * shaded Jetty its server): at debug, their warnings only.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "org.apache.kafka.clients.ClientConfig",
        "org.apache.spark.scheduler.TaskSetManager",
        "org.sparkproject.jetty.server.Server"
      })
  void chattyLibrariesStayAtWarn(String name) {
    Logger chatty = LoggerFactory.getLogger(name);
    String simple = name.substring(name.lastIndexOf('.') + 1);
    String err =
        logged(
            Level.DEBUG,
            LogOptions.LogFormat.text,
            new Secrets(),
            () -> {
              chatty.info("bootstrap.servers = [localhost:9092]");
              chatty.warn("the broker is not reachable");
              LoggerFactory.getLogger("dev.idem.test").debug("ours at debug");
            });
    assertThat(err)
        .doesNotContain("bootstrap.servers")
        .contains("WARN  " + simple + " - the broker is not reachable")
        .contains("DEBUG test - ours at debug");
  }

  /** What {@code logging} logged through a command's {@link Logs}. */
  private static String logged(
      Level level, LogOptions.LogFormat format, Secrets secrets, Runnable logging) {
    StringWriter err = new StringWriter();
    try (Logs logs = Logs.start(new PrintWriter(err), level, format, secrets)) {
      logging.run();
    }
    return err.toString();
  }
}
