package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kafka source's {@code null_value}: what it implies for the target and its one-line errors. */
class KafkaNullValueFileTest {
  private static final String FILE =
      """
      pipeline: people
      source:
        type: kafka
        bootstrap_servers: localhost:1
        topic: people
        null_value: delete
      columns:
        id: integer
        name: string
        _kafka_offset: integer
      target:
        table: people
        key: [id]
        strategy: merge
        order_by: _kafka_offset
      """;

  @TempDir Path dir;

  private Pipeline load(String yaml) throws IOException {
    return new YamlFiles(dir).load(yaml);
  }

  private String error(String yaml) throws IOException {
    return new YamlFiles(dir).error(yaml);
  }

  @Test
  void deleteImpliesTheDeleteFlagOnAColumnTheTargetDoesNotStore() throws IOException {
    Pipeline p = load(FILE);
    assertThat(p.target().deletes()).isEqualTo(DeleteRule.flag("_kafka_deleted"));
    assertThat(p.source().schema().names()).contains("_kafka_deleted");
    assertThat(p.target().columns().names()).containsExactly("id", "name", "_kafka_offset");
    // written out, the same rule
    Pipeline explicit = load(FILE + "  delete_flag: _kafka_deleted\n");
    assertThat(explicit.target().deletes()).isEqualTo(p.target().deletes());
    assertThat(explicit.definitionHash()).isEqualTo(p.definitionHash());
  }

  @Test
  void theDefaultIsDeadLetterAndChangesNothing() throws IOException {
    Pipeline p = load(FILE.replace("  null_value: delete\n", ""));
    assertThat(p.target().deletes()).isNull();
    assertThat(p.source().schema().names()).doesNotContain("_kafka_deleted");
    assertThat(
            load(FILE.replace("null_value: delete", "null_value: dead_letter")).target().deletes())
        .isNull();
  }

  @Test
  void anUnknownValueOrAMisspeltKeyIsRefusedAtItsLine() throws IOException {
    assertThat(error(FILE.replace("null_value: delete", "null_value: tombstone")))
        .isEqualTo(":6: source.null_value: expected dead_letter or delete, got 'tombstone'");
    assertThat(error(FILE.replace("null_value: delete", "null_valu: delete")))
        .startsWith(":6: unknown key 'null_valu' in source: expected one of type,")
        .endsWith("(did you mean 'null_value'?)");
  }

  @Test
  void aTargetThatCannotTakeTheDeletesIsRefused() throws IOException {
    assertThat(error(FILE.replace("strategy: merge", "strategy: append")))
        .contains("source.null_value: a null value is a delete, which needs strategy merge");
    assertThat(error(FILE.replace("  order_by: _kafka_offset\n", "")))
        .contains("source.null_value: a null value is a delete, which needs versions:")
        .contains("order_by: _kafka_offset");
    assertThat(error(FILE.replace("  key: [id]\n", "")))
        .contains("strategy merge needs a key"); // refused by the target's own check first
    assertThat(error(FILE.replace("key: [id]", "key: {hash: [nope]}")))
        .contains("a null value deletes its key, and key field 'nope' is not an input column");
    assertThat(error(FILE + "  deletes: {column: name, equals: gone}\n"))
        .contains("the target's delete rule must be delete_flag: _kafka_deleted or left out");
    assertThat(error(FILE.replace("name: string", "_kafka_deleted: string")))
        .isEqualTo(
            ":6: source.null_value: column _kafka_deleted is string: it marks deletes, so"
                + " declare it boolean or leave it out");
  }
}
