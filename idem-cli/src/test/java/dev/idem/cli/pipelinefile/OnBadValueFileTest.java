package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.OnBadValue;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code on_bad_value} for the pipeline and per input column, and its one-line errors. */
class OnBadValueFileTest {
  private static final String FILE =
      """
      pipeline: orders
      source:
        type: csv
        path: data/*.csv
      columns:
        order_id: integer
        amount:
          type: decimal(12,2)
          on_bad_value: POLICY
        ingested_at: timestamp
      target:
        table: orders
        key: [order_id]
        strategy: merge
      """;

  @TempDir Path dir;

  private BadRecordPolicy policy(String yaml) throws IOException {
    return new YamlFiles(dir).load(yaml).badRecords();
  }

  private String error(String yaml) throws IOException {
    return new YamlFiles(dir).error(yaml);
  }

  @Test
  void theDefaultIsDeadLetterAndAColumnMayOverrideThePipeline() throws IOException {
    BadRecordPolicy byDefault = policy(FILE.replace("on_bad_value: POLICY", "on_bad_value: null"));
    assertThat(byDefault.onBadValue("order_id")).isEqualTo(OnBadValue.DEAD_LETTER);
    assertThat(byDefault.onBadValue("amount")).isEqualTo(OnBadValue.NULL);

    BadRecordPolicy pipelineWide =
        policy(
            FILE.replace("on_bad_value: POLICY", "on_bad_value: dead_letter")
                + "on_bad_value: null\n");
    assertThat(pipelineWide.onBadValue("order_id")).isEqualTo(OnBadValue.NULL);
    assertThat(pipelineWide.onBadValue("amount")).isEqualTo(OnBadValue.DEAD_LETTER);
    assertThat(
            policy(FILE.replace("on_bad_value: POLICY", "on_bad_value: \"null\""))
                .onBadValue("amount"))
        .isEqualTo(OnBadValue.NULL);
  }

  @Test
  void aWrongValueNamesItsLineAndTheChoices() throws IOException {
    assertThat(error(FILE.replace("on_bad_value: POLICY", "on_bad_value: skip")))
        .isEqualTo(":9: columns.amount.on_bad_value: expected null or dead_letter, got 'skip'");
    assertThat(error(FILE.replace("POLICY", "null") + "on_bad_value: drop\n"))
        .isEqualTo(":15: on_bad_value: expected null or dead_letter, got 'drop'");
    assertThat(error(FILE.replace("on_bad_value: POLICY", "on_bad_valu: null")))
        .startsWith(":9: unknown key 'on_bad_valu' in columns.amount");
  }
}
