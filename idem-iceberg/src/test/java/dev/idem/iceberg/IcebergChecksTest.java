package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.check.Check;
import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code idem check} on an Iceberg table: clean, then tampered with by another writer. */
class IcebergChecksTest {
  @TempDir Path dir;

  @Test
  void aCleanLoadPassesAndRowsRemovedOrDuplicatedBehindIdemsBackFail() throws Exception {
    ListSource s =
        new ListSource(
            Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP)));
    s.add(1L, LocalDateTime.parse("2024-03-01T10:00:00"));
    s.add(2L, LocalDateTime.parse("2024-03-01T11:00:00"));
    s.add(3L, LocalDateTime.parse("2024-03-02T10:00:00"));
    Pipeline p =
        Pipeline.builder("chk")
            .version("1")
            .source(s)
            .table("chk")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("id"))
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .build();
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    try (IcebergDestination d = new IcebergDestination(settings, RunServices.defaults())) {
      new Runner(d, RunServices.defaults())
          .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
      List<CheckResult> clean = d.check(p, Optional.empty(), "check-1");
      assertThat(clean).extracting(CheckResult::status).containsOnly(CheckStatus.PASS);
      assertThat(clean)
          .extracting(CheckResult::check)
          .contains(Check.TARGET_ROWS, Check.GROWTH, Check.DUPLICATE_KEYS);
      assertThat(d.checks("chk")).hasSameSizeAs(clean);

      try (CatalogHandle other = new CatalogHandle(settings)) {
        Table t = other.load(TableIdentifier.of("idem", "chk"));
        // another writer: window 2024-03-02's file gone, and 2024-03-01's file added again
        DataFile day1 = null;
        var delete = t.newDelete();
        for (DataFile f : new TableFiles(t).files(Expressions.alwaysTrue())) {
          if ("2024-03-02".equals(f.partition().get(0, String.class))) {
            delete.deleteFile(f);
          } else {
            day1 = f;
          }
        }
        delete.commit();
        // a copy of day 1's file, appended as a file of its own
        String copy = day1.location().replace(".parquet", "-copy.parquet");
        try (InputStream in = t.io().newInputFile(day1.location()).newStream();
            OutputStream out = t.io().newOutputFile(copy).create()) {
          in.transferTo(out);
        }
        t.newAppend()
            .appendFile(DataFiles.builder(t.spec()).copy(day1).withPath(copy).build())
            .commit();
      }
      List<CheckResult> tampered = d.check(p, Optional.empty(), "check-2");
      assertThat(tampered)
          .filteredOn(r -> r.status() == CheckStatus.FAIL)
          .extracting(r -> r.windowId() + " " + r.check().label())
          .contains("2024-03-02 target_rows", "2024-03-01 target_rows", "* duplicate_keys");
    }
  }
}
