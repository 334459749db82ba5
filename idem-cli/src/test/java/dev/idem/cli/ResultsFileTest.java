package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results file of run and backfill: where it is written, what it holds, and that every file
 * written validates against docs/schemas/run-results.schema.json.
 */
class ResultsFileTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaValidation SCHEMA =
      SchemaValidation.published("run-results.schema.json");

  @TempDir Path tmp;
  Path orders;

  @BeforeEach
  void copyOrders() throws IOException {
    orders = SchedulerFlagsTest.copyOrders(tmp);
  }

  private Path defaultFile() {
    return orders.getParent().resolve(".idem/orders/run_results.json");
  }

  /** The file, checked against the schema. */
  private static JsonNode valid(Path file) throws IOException {
    String text = Files.readString(file);
    assertThat(SCHEMA.json(text)).as(text).isEmpty();
    return JSON.readTree(text);
  }

  @Test
  void aRunWritesItsResultsBesideThePipelineEveryWindowWithCountsTimingsAndAttempts()
      throws IOException {
    Cli.Result r = Cli.run("run", orders.toString(), "--run-id", "first");
    assertThat(r.exit()).as(r.err()).isZero();

    JsonNode doc = valid(defaultFile());
    assertThat(doc.get("status").asText()).isEqualTo("ok");
    assertThat(doc.get("command").asText()).isEqualTo("run");
    assertThat(doc.get("run_id").asText()).isEqualTo("first");
    assertThat(doc.get("pipeline").get("name").asText()).isEqualTo("orders");
    assertThat(doc.get("pipeline").get("version").asText()).isEqualTo("1");
    assertThat(doc.get("exit_code").asInt()).isZero();
    assertThat(doc.get("windows")).hasSize(5);
    JsonNode first = doc.get("windows").get(0);
    assertThat(first.get("window").asText()).isEqualTo("2024-03-01");
    assertThat(first.get("status").asText()).isEqualTo("loaded");
    assertThat(first.get("attempts").asInt()).isEqualTo(1);
    JsonNode counts = first.get("counts");
    assertThat(counts.get("read").asLong()).isPositive();
    assertThat(counts.get("inserted").asLong() + counts.get("folded").asLong())
        .isEqualTo(counts.get("read").asLong());
    long read = 0;
    double apply = 0;
    for (JsonNode w : doc.get("windows")) {
      read += w.get("counts").get("read").asLong();
      JsonNode t = w.get("timings");
      apply += t.get("apply").asDouble();
      assertThat(Instant.parse(t.get("ended_at").asText()))
          .isAfterOrEqualTo(Instant.parse(t.get("started_at").asText()));
      for (String phase : List.of("read", "stage", "apply", "commit")) {
        assertThat(t.get("total").decimalValue())
            .isGreaterThanOrEqualTo(t.get(phase).decimalValue());
      }
    }
    JsonNode totals = doc.get("totals");
    assertThat(totals.get("windows").asInt()).isEqualTo(5);
    assertThat(totals.get("by_status").get("loaded").asInt()).isEqualTo(5);
    assertThat(totals.get("counts").get("read").asLong()).isEqualTo(read);
    assertThat(totals.get("timings").get("apply").asDouble()).isCloseTo(apply, within(0.01));
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }

  @Test
  void theNextRunReplacesTheFile() throws IOException {
    assertThat(Cli.run("run", orders.toString(), "--run-id", "first").exit()).isZero();
    assertThat(Cli.run("run", orders.toString(), "--run-id", "second").exit()).isZero();

    JsonNode doc = valid(defaultFile());
    assertThat(doc.get("run_id").asText()).isEqualTo("second");
    assertThat(doc.get("totals").get("by_status").get("unchanged").asInt()).isEqualTo(5);
    assertThat(doc.get("windows").get(0).get("counts").get("read").asLong()).isZero();
    // written through a temporary sibling, which does not stay
    try (var files = Files.list(defaultFile().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("run_results.json");
    }
  }

  @Test
  void resultsGoWhereAskedAndNoneWritesNone() throws IOException {
    Path chosen = tmp.resolve("out/results.json");
    Cli.Result r =
        Cli.run(
            "backfill",
            orders.toString(),
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-02",
            "--results",
            chosen.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = valid(chosen);
    assertThat(doc.get("command").asText()).isEqualTo("backfill");
    assertThat(doc.get("windows")).hasSize(2);
    assertThat(defaultFile()).doesNotExist();

    assertThat(Cli.run("run", orders.toString(), "--results", "none").exit()).isZero();
    assertThat(defaultFile()).doesNotExist();
  }

  @Test
  void aResultsFileThatCannotBeWrittenFailsTheRunItWasAskedFor() throws IOException {
    Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
    Cli.Result r =
        Cli.run("run", orders.toString(), "--results", notADirectory.resolve("r.json").toString());
    assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(r.err()).contains("idem: could not write the results file");
    // the data is committed all the same: a second run finds every window unchanged
    Cli.Result again = Cli.run("run", orders.toString(), "--output", "json");
    assertThat(again.out()).contains("\"unchanged\" : 5");
  }

  @Test
  void aRunThatFailsBeforeItsWindowsHaveOutcomesIsWrittenAsAnError() {
    Pipeline pipeline =
        dev.idem.cli.pipelinefile.PipelineFile.load(
                orders, List.of(), k -> null, new dev.idem.connector.Secrets())
            .pipeline();
    RunResults results =
        new RunResults("run", pipeline, orders.toString(), "jdbc:duckdb:x", Instant.EPOCH);
    String failed =
        results.failed(
            "r1", new dev.idem.IdemException("cannot prepare the target"), 1, Instant.EPOCH);
    assertThat(SCHEMA.json(failed)).isEmpty();
    assertThat(failed).contains("\"status\" : \"error\"", "cannot prepare the target");

    String finished =
        results.finished(
            new RunReport(
                "orders",
                "r1",
                List.of(
                    new WindowOutcome(
                        pipeline.windows().window("2024-03-01"),
                        WindowOutcome.Result.NOT_STARTED,
                        WindowCounts.NONE,
                        0,
                        "not started"))),
            143,
            true,
            Instant.EPOCH);
    assertThat(SCHEMA.json(finished)).isEmpty();
    assertThat(finished).contains("\"status\" : \"stopped\"", "\"started_at\" : null");
  }

  @Test
  void theSchemaRefusesWhatItDoesNotDescribe() {
    assertThat(SCHEMA.json("{\"results_version\": 1}")).isNotEmpty();
  }
}
