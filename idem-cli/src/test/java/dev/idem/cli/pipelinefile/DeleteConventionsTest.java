package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.idem.connector.Secrets;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target's delete conventions in a pipeline file: delete_flag, deletes, retention. */
class DeleteConventionsTest {
  @TempDir Path dir;

  /** A merge pipeline whose target section ends with {@code deletes} (indented by 2). */
  private static String file(String deletes) {
    return """
        pipeline: orders
        source: {type: csv, path: data/*.csv}
        columns:
          order_id: integer
          name: string
          is_deleted: boolean
          op: string
          _ab_cdc_deleted_at: timestamp
          ingested_at: timestamp
        target:
          table: orders
          columns:
            order_id: integer
            name: string
            ingested_at: timestamp
          key: [order_id]
          strategy: merge
          order_by: ingested_at
        """
        + deletes;
  }

  private Pipeline load(String yaml) throws IOException {
    Path f = dir.resolve("pipeline.yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return PipelineFile.load(f, List.of(), k -> null, new Secrets()).pipeline();
  }

  private String error(String yaml) {
    Throwable t = catchThrowable(() -> load(yaml));
    assertThat(t).isInstanceOf(PipelineFileException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage();
  }

  @Test
  void eachConventionBindsAndItsColumnNeedNotBeStored() throws IOException {
    assertThat(load(file("  delete_flag: is_deleted\n")).target().deletes())
        .isEqualTo(DeleteRule.flag("is_deleted"));
    assertThat(load(file("  deletes: {column: is_deleted, when: true}\n")).target().deletes())
        .isEqualTo(DeleteRule.flag("is_deleted"));
    assertThat(load(file("  deletes: {column: op, equals: d}\n")).target().deletes())
        .isEqualTo(DeleteRule.equalTo("op", "d"));
    assertThat(load(file("  deletes: {column: order_id, equals: 0}\n")).target().deletes())
        .isEqualTo(DeleteRule.equalTo("order_id", "0"));
    assertThat(load(file("  deletes: {column: is_deleted, equals: 'true'}\n")).target().deletes())
        .isEqualTo(DeleteRule.equalTo("is_deleted", "true"));
    Pipeline airbyte =
        load(
            file(
                "  deletes: {column: _ab_cdc_deleted_at, when: not_null}\n"
                    + "  tombstone_retention: 30d\n"));
    assertThat(airbyte.target().deletes())
        .isEqualTo(DeleteRule.notNull("_ab_cdc_deleted_at").retainedFor(Duration.ofDays(30)));
    assertThat(airbyte.target().storedColumns().names())
        .containsExactly("order_id", "name", "ingested_at");
  }

  @Test
  void aBooleanFlagKeepsTheDefinitionHashItHadAndTheOtherFormsChangeIt() throws IOException {
    String flag = load(file("  delete_flag: is_deleted\n")).definitionHash();
    assertThat(load(file("  deletes: {column: is_deleted, when: true}\n")).definitionHash())
        .isEqualTo(flag);
    assertThat(load(file("  deletes: {column: op, equals: d}\n")).definitionHash())
        .isNotEqualTo(flag);
  }

  @Test
  void aBadDeleteRuleIsOneLineNamingItsLine() {
    assertThat(error(file("  deletes: {column: op, when: maybe}\n")))
        .contains(":19:")
        .contains("unknown condition 'maybe'")
        .contains("not_null");
    assertThat(error(file("  deletes: {column: op}\n"))).contains(":19:").contains("equals: VALUE");
    assertThat(error(file("  deletes: {column: op, equals: d, colour: red}\n"))).contains("colour");
    assertThat(error(file("  deletes: {column: nope, when: not_null}\n")))
        .contains(":19:")
        .contains("nope");
    assertThat(error(file("  delete_flag: op\n")))
        .contains(":19:")
        .contains("expected boolean")
        .contains("equals");
    assertThat(error(file("  delete_flag: is_deleted\n  deletes: {column: op, equals: d}\n")))
        .contains("not both");
    // equals compares text, which a timestamp has in one form in Java and others in SQL
    assertThat(
            error(file("  deletes: {column: _ab_cdc_deleted_at, equals: '2024-03-01 10:00:00'}\n")))
        .contains(":19:")
        .contains("'_ab_cdc_deleted_at' is timestamp")
        .contains("expected string, integer or boolean");
    assertThat(error(file("  tombstone_retention: 30d\n")))
        .contains(":19:")
        .contains("no tombstones without deletes");
    assertThat(error(file("  delete_flag: is_deleted\n  tombstone_retention: soon\n")))
        .contains(":20:")
        .contains("expected a duration");
  }
}
