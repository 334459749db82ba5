package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ledger file's tombstones are the table's (format 2); a format 1 file kept them per pipeline,
 * and they move to the table's, the newer of two of one key by the pipeline's typed {@code
 * order_by}, when a window plans.
 */
class LedgerStateTest {
  private static final Pipeline PIPELINE =
      Pipeline.builder("a")
          .version("1")
          .source(
              new ListSource(
                  Schema.of(
                      Column.of("id", DataType.INTEGER),
                      Column.of("version", DataType.INTEGER),
                      Column.of("at", DataType.TIMESTAMP),
                      Column.of("op", DataType.STRING))))
          .table("t")
          .targetColumns(
              Schema.of(
                  Column.of("id", DataType.INTEGER),
                  Column.of("version", DataType.INTEGER),
                  Column.of("at", DataType.TIMESTAMP)))
          .strategy(WriteStrategy.MERGE)
          .windows(WindowSpec.day("at", ZoneOffset.UTC))
          .key(KeySpec.columns("id"))
          .orderBy("version")
          .deletes(DeleteRule.equalTo("op", "d"))
          .build();

  private static String tombstone(String version, String window) {
    return "{\"version\": [\""
        + version
        + "\"], \"windowOrder\": \""
        + window
        + "\", \"window\": \""
        + window
        + "\", \"recordedAt\": \"2026-01-01T00:00:00Z\"}";
  }

  @Test
  void aFormatOneFilesPipelineTombstonesBecomeTheTablesTheNewerOfTwoByTypedVersion()
      throws Exception {
    String formatOne =
        "{\"format\": 1, \"pipelines\": {"
            + "\"a\": {\"windows\": {}, \"tombstones\": {\"1\": "
            + tombstone("10", "2024-03-02")
            + "}},"
            + "\"b\": {\"windows\": {}, \"tombstones\": {\"1\": "
            + tombstone("9", "2024-03-05")
            + ", \"2\": "
            + tombstone("3", "2024-03-01")
            + "}}}}";
    LedgerState state = LedgerStore.JSON.readValue(formatOne, LedgerState.class);

    // 10 is newer than 9 as integers (as text, "9" would win)
    Map<String, LedgerState.Tombstone> tombstones =
        state.tombstones(SlicePlanner.newer(PIPELINE.target()));
    assertThat(tombstones).containsOnlyKeys("1", "2");
    assertThat(tombstones.get("1").version).containsExactly("10");
    assertThat(tombstones.get("1").window).isEqualTo("2024-03-02");
    assertThat(tombstones.get("2").version).containsExactly("3");

    // written again, they are the table's only
    state.format = LedgerState.FORMAT;
    JsonNode written = LedgerStore.JSON.readTree(LedgerStore.JSON.writeValueAsString(state));
    assertThat(written.get("format").asInt()).isEqualTo(2);
    assertThat(written.get("tombstones").size()).isEqualTo(2);
    assertThat(written.get("pipelines").get("a").has("tombstones")).isFalse();
    assertThat(written.get("pipelines").get("b").has("tombstones")).isFalse();
  }

  @Test
  void aChangeThatPlansNothingKeepsAFormatOneFilesPipelineTombstones() throws Exception {
    LedgerState state =
        LedgerStore.JSON.readValue(
            "{\"format\": 1, \"pipelines\": {\"a\": {\"tombstones\": {\"1\": "
                + tombstone("4", "2024-03-02")
                + "}}}}",
            LedgerState.class);
    // a lease's claim or renewal changes windows only: what it writes still holds the tombstone
    state.pipeline("a").windows.clear();
    LedgerState again =
        LedgerStore.JSON.readValue(LedgerStore.JSON.writeValueAsString(state), LedgerState.class);
    assertThat(again.tombstones(SlicePlanner.newer(PIPELINE.target())))
        .containsOnlyKeys("1")
        .allSatisfy((k, t) -> assertThat(t.version).containsExactly("4"));
  }
}
