package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.source.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How each source names its dataset for lineage: its system's naming, never its credentials. */
class LineageDatasetsTest {
  private static final String REST =
      """
      columns:
        id: integer
        _kafka_offset: integer
      target:
        table: t
        key: [id]
        strategy: merge
      """;

  @TempDir Path dir;

  private Dataset dataset(String source) throws IOException {
    return new YamlFiles(dir).load("pipeline: p\nsource:\n" + source + REST).source().dataset();
  }

  @Test
  void aKafkaSourceIsItsTopicInItsBrokersNamespace() throws IOException {
    assertThat(dataset("  type: kafka\n  bootstrap_servers: b1:9092,b2:9092\n  topic: orders\n"))
        .isEqualTo(new Dataset("kafka://b1:9092,b2:9092", "orders"));
  }

  @Test
  void aJdbcSourceIsItsQueryUnderItsUrlWithTheCredentialsMasked() throws IOException {
    Dataset d =
        dataset(
            "  type: jdbc\n"
                + "  url: jdbc:postgresql://etl:pw@db:5432/shop?password=pw2\n"
                + "  query: SELECT id, 0 AS _kafka_offset FROM orders\n");
    assertThat(d.name()).isEqualTo("SELECT id, 0 AS _kafka_offset FROM orders");
    assertThat(d.namespace()).startsWith("jdbc:postgresql://").contains("db:5432/shop");
    assertThat(d.namespace()).doesNotContain("pw");
  }
}
