package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem verify}'s scratch twin of an Iceberg destination: a namespace of its own in the same
 * catalog, dropped with its tables, their files and its ledgers when closed; the pipeline's own
 * namespace is never touched.
 */
class IcebergScratchTest {
  @TempDir Path dir;

  private static final Schema COLUMNS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));

  private List<Path> filesOfScratches() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("warehouse"))) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().contains("_idem_verify_"))
          .toList();
    }
  }

  private static List<Namespace> namespaces(IcebergSettings settings) throws Exception {
    Catalog catalog = settings.open();
    try {
      return ((SupportsNamespaces) catalog).listNamespaces();
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  @Test
  void aScratchNamespaceIsDroppedWithItsTablesFilesAndLedgersWhenClosed() throws Exception {
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    IcebergDestinationBinding binding = new IcebergDestinationBinding(settings);
    ListSource source =
        new ListSource(COLUMNS)
            .add(1L, LocalDateTime.parse("2024-03-01T10:00"))
            .add(2L, LocalDateTime.parse("2024-03-02T10:00"));
    Pipeline p =
        Pipeline.builder("scratch")
            .source(source)
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .table("t")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    try (Destination scratch = binding.scratch(RunServices.defaults())) {
      assertThat(
              new Runner(scratch, RunServices.defaults())
                  .run(p, p.source().windows(p.windows()), RunOptions.defaults("v"))
                  .ok())
          .isTrue();
      assertThat(filesOfScratches())
          .as("data, metadata and ledger files while it runs")
          .isNotEmpty();
      assertThat(namespaces(settings))
          .anySatisfy(n -> assertThat(n.toString()).startsWith("idem_idem_verify_"));
    }
    assertThat(filesOfScratches()).isEmpty();
    assertThat(namespaces(settings))
        .noneSatisfy(n -> assertThat(n.toString()).contains("_idem_verify_"));
  }
}
