package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge window of more than 10,000 keys, which finds them in the table by their range rather than
 * by an {@code in} filter: the same result as for a small window.
 */
class IcebergLargeWindowTest {
  @TempDir Path dir;

  @Test
  void aWindowOfManyKeysUpdatesTheKeysItSharesAndInsertsTheRest() throws Exception {
    ListSource s =
        new ListSource(
            Schema.of(
                Column.of("id", DataType.INTEGER),
                Column.of("v", DataType.STRING),
                Column.of("at", DataType.TIMESTAMP)));
    for (long id = 0; id < 10_500; id++) {
      s.add(id, "first", LocalDateTime.parse("2024-03-01T10:00:00"));
    }
    for (long id = 5_000; id < 15_500; id++) {
      s.add(id, "second", LocalDateTime.parse("2024-03-02T10:00:00"));
    }
    Pipeline p =
        Pipeline.builder("big")
            .version("1")
            .source(s)
            .table("big")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("id"))
            .orderBy("at")
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .build();
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      WindowCounts second = r.outcomes().get(1).counts();
      assertThat(second.updated()).isEqualTo(5_500);
      assertThat(second.inserted()).isEqualTo(5_000);
      assertThat(d.tableRows("big"))
          .hasSize(15_500)
          .filteredOn(row -> row.contains("v=second"))
          .hasSize(10_500);
      assertThat(d.ledger().state("big", "2024-03-01").orElseThrow().counts().targetRows())
          .isEqualTo(5_000);
    }
  }

  /**
   * The range of string keys in the order of Iceberg's column statistics, by code point: Java's
   * order puts a character above the basic plane (a surrogate pair, 0xD83D first) below U+FFFF, so
   * a range ending at U+FFFF by Java's order would leave out the file of the key above it.
   */
  @Test
  void theRangeOfStringKeysIsTakenInIcebergsOrder() throws Exception {
    ListSource s =
        new ListSource(
            Schema.of(
                Column.of("id", DataType.STRING),
                Column.of("v", DataType.STRING),
                Column.of("at", DataType.TIMESTAMP)));
    String above = "\uD83D\uDE00"; // U+1F600
    s.add(above, "first", LocalDateTime.parse("2024-03-01T10:00:00"));
    for (int i = 0; i <= 10_000; i++) {
      s.add(String.format("a%05d", i), "second", LocalDateTime.parse("2024-03-02T10:00:00"));
    }
    s.add("\uFFFF", "second", LocalDateTime.parse("2024-03-02T10:00:00"));
    s.add(above, "second", LocalDateTime.parse("2024-03-02T10:00:00"));
    Pipeline p =
        Pipeline.builder("big")
            .version("1")
            .source(s)
            .table("big")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("id"))
            .orderBy("at")
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .build();
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      WindowCounts second = r.outcomes().get(1).counts();
      assertThat(second.updated()).isEqualTo(1);
      assertThat(second.inserted()).isEqualTo(10_002);
      assertThat(d.tableRows("big")).hasSize(10_003).noneMatch(row -> row.contains("v=first"));
    }
  }
}
