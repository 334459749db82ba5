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
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg stores timestamps to the microsecond (its Parquet writer drops the rest), while idem's
 * readers type up to nine fractional digits: the destination folds, looks up and compares a
 * window's rows as the table will hold them, so a value with digits past the microsecond is one key
 * with the stored one, and loading it again changes nothing.
 */
class IcebergTimestampPrecisionTest {
  @TempDir Path dir;

  private static final Schema COLUMNS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("at", DataType.TIMESTAMP),
          Column.of("seen", DataType.TIMESTAMPTZ));

  private static Pipeline pipeline(String key, ListSource source) {
    return Pipeline.builder("precision")
        .version("1")
        .source(source)
        .table("t")
        .strategy(WriteStrategy.MERGE)
        .key(KeySpec.columns(key))
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .build();
  }

  private RunReport run(IcebergDestination d, Pipeline p, RunOptions options) throws Exception {
    return new Runner(d, RunServices.defaults().withSleeper(s -> {}))
        .run(p, p.source().windows(p.windows()), options);
  }

  private IcebergDestination open() {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults());
  }

  @Test
  void aTimestampKeyWithDigitsPastTheMicrosecondIsOneKeyWithTheStoredValue() throws Exception {
    ListSource source =
        new ListSource(COLUMNS)
            .add(1L, LocalDateTime.parse("2024-03-01T10:00:00.1234567"), null)
            // the same microsecond: the same key once stored
            .add(2L, LocalDateTime.parse("2024-03-01T10:00:00.1234568"), null)
            .add(3L, LocalDateTime.parse("2024-03-01T11:00:00.000000999"), null);
    Pipeline p = pipeline("at", source);
    try (IcebergDestination d = open()) {
      RunReport first = run(d, p, RunOptions.defaults("r1"));
      assertThat(first.ok()).as(first.toString()).isTrue();
      WindowCounts c = first.outcomes().get(0).counts();
      assertThat(c.inserted()).isEqualTo(2);
      assertThat(c.folded()).isEqualTo(1);
      assertThat(d.tableRows("t")).hasSize(2);
      // forced: the same rows again are the stored ones, unchanged
      RunReport again = run(d, p, RunOptions.defaults("r2").forced());
      assertThat(again.ok()).as(again.toString()).isTrue();
      assertThat(again.outcomes().get(0).result()).isEqualTo(WindowOutcome.Result.LOADED);
      WindowCounts c2 = again.outcomes().get(0).counts();
      assertThat(c2.inserted()).isZero();
      assertThat(c2.updated()).isZero();
      assertThat(c2.unchanged()).isEqualTo(2);
      assertThat(d.tableRows("t")).hasSize(2);
    }
  }

  /**
   * A reading task's fold (the write's {@link dev.idem.destination.RowFold}, on staged rows not yet
   * stored) takes two values of one microsecond as one key, and as a tie of versions, as the write
   * does once they are stored.
   */
  @Test
  void theFoldOnAReadingTaskComparesTimestampsAsStored() {
    Pipeline p =
        Pipeline.builder("precision")
            .version("1")
            .source(new ListSource(COLUMNS))
            .table("t")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("at"))
            .orderBy("seen")
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .build();
    KeyFold fold = new KeyFold(p, TableSchema.of(p));
    Object[] a = {
      1L,
      LocalDateTime.parse("2024-03-01T10:00:00.1234567"),
      Instant.parse("2024-03-01T10:00:00.0000011Z")
    };
    Object[] b = {
      1L,
      LocalDateTime.parse("2024-03-01T10:00:00.1234568"),
      Instant.parse("2024-03-01T10:00:00.0000019Z")
    };
    assertThat(fold.key(a))
        .isEqualTo(fold.key(b))
        .isEqualTo(LocalDateTime.parse("2024-03-01T10:00:00.123456"));
    // the versions are one microsecond: a tie of equal rows, so the first met is kept
    assertThat(fold.replaces(b, a)).isFalse();
    assertThat(fold.replaces(a, b)).isFalse();
  }

  @Test
  void timestampValuesWithDigitsPastTheMicrosecondLoadedAgainAreUnchanged() throws Exception {
    ListSource source =
        new ListSource(COLUMNS)
            .add(
                1L,
                LocalDateTime.parse("2024-03-01T10:00:00.1234567"),
                Instant.parse("2024-03-01T10:00:00.987654321Z"))
            // before 1970: Iceberg counts microseconds from the epoch toward zero
            .add(
                2L,
                LocalDateTime.parse("2024-03-01T10:00:00"),
                Instant.parse("1969-12-31T23:59:59.999999999Z"))
            // past the nanoseconds a long counts from the epoch (1677 to 2262)
            .add(
                3L,
                LocalDateTime.parse("2024-03-01T10:00:00.0000001"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"))
            .add(
                4L,
                LocalDateTime.parse("2024-03-01T11:00:00"),
                Instant.parse("1600-01-01T00:00:00.0000001Z"));
    Pipeline p = pipeline("id", source);
    try (IcebergDestination d = open()) {
      assertThat(run(d, p, RunOptions.defaults("r1")).ok()).isTrue();
      java.util.List<String> rows = d.tableRows("t");
      RunReport again = run(d, p, RunOptions.defaults("r2").forced());
      assertThat(again.ok()).as(again.toString()).isTrue();
      WindowCounts c = again.outcomes().get(0).counts();
      assertThat(c.updated()).isZero();
      assertThat(c.unchanged()).isEqualTo(4);
      assertThat(d.tableRows("t")).isEqualTo(rows);
    }
  }
}
