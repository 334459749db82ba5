package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pipeline file's JSON Schema: {@code idem schema pipeline} prints the published
 * docs/schemas/pipeline.schema.json, every example pipeline validates against it, and broken files
 * do not.
 */
class PipelineSchemaTest {
  private static final Path PUBLISHED = SchemaValidation.SCHEMAS.resolve("pipeline.schema.json");
  private static final SchemaValidation SCHEMA = SchemaValidation.published("pipeline.schema.json");

  @Test
  void theCommandPrintsThePublishedSchema() throws IOException {
    Cli.Result r = Cli.run("schema", "pipeline");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip())
        .as("regenerate it: ./idem schema pipeline > docs/schemas/pipeline.schema.json")
        .isEqualTo(Files.readString(PUBLISHED).strip());
  }

  static List<Path> examples() throws IOException {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.walk(examples)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void thereAreExamples() throws IOException {
    assertThat(examples()).hasSizeGreaterThanOrEqualTo(6);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExamplePipelineValidates(Path example) throws IOException {
    assertThat(SCHEMA.yaml(Files.readString(example))).as(example.toString()).isEmpty();
  }

  private static final String VALID =
      OrdersPipeline.yaml("orders", "data/*.csv", "ingested_at", "jdbc:duckdb:orders.duckdb", "");

  @Test
  void otherConnectorsAndLongFormsValidate() {
    assertThat(SCHEMA.yaml(VALID)).isEmpty();
    String kafkaToPostgres =
        String.join(
            "\n",
            "pipeline: events",
            "version: 2",
            "source:",
            "  type: kafka",
            "  bootstrap_servers: localhost:9092",
            "  topic: events",
            "  max_records: 5000",
            "  security.protocol: PLAINTEXT",
            "columns:",
            "  id: {type: integer not null, on_bad_value: dead_letter}",
            "  amount: {type: 'decimal(12,2)', on_bad_value: null}",
            "target:",
            "  table: public.events",
            "  key: {hash: [id]}",
            "  strategy: append",
            "destination:",
            "  url: jdbc:postgresql://localhost/db",
            "  user: ${env:PGUSER}",
            "  password: ${env:PGPASSWORD}",
            "max_bad_ratio: 0.01",
            "on_bad_value: null",
            "");
    assertThat(SCHEMA.yaml(kafkaToPostgres)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "  strategy: merge|  strtegy: merge", // a misspelt key of the target
        "  type: csv|  type: avro", // no such connector
        "  type: csv|  type: csv\n  topic: orders", // a kafka key in a csv source
        "  kind: day|  kind: week", // no such window kind
        "  amount: decimal(12,2)|  amount: money", // no such column type
        "  strategy: merge|  strategy: upsert", // no such strategy
        "  url: jdbc:duckdb:orders.duckdb|  uri: jdbc:duckdb:orders.duckdb", // no url
      })
  void brokenFilesDoNotValidate(String replacement) {
    int bar = replacement.indexOf('|');
    String broken = VALID.replace(replacement.substring(0, bar), replacement.substring(bar + 1));
    assertThat(broken).isNotEqualTo(VALID);

    assertThat(SCHEMA.yaml(broken)).as(broken).isNotEmpty();
  }

  @Test
  void aFileWithoutTheRequiredSectionsDoesNotValidate() {
    assertThat(SCHEMA.yaml("pipeline: x\n")).hasSizeGreaterThanOrEqualTo(3);
  }
}
