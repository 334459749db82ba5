package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
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
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table that exists before idem's first window: other column order, a column of its own. */
class IcebergExistingTableTest {
  @TempDir Path dir;

  private static Pipeline pipeline() {
    ListSource s =
        new ListSource(
            Schema.of(
                Column.of("id", DataType.INTEGER),
                Column.of("name", DataType.STRING),
                Column.of("at", DataType.TIMESTAMP)));
    s.add(1L, "ada", LocalDateTime.parse("2024-03-01T10:00:00"));
    s.add(2L, "bob", LocalDateTime.parse("2024-03-01T11:00:00"));
    return Pipeline.builder("ex")
        .version("1")
        .source(s)
        .table("ex")
        .strategy(WriteStrategy.MERGE)
        .key(KeySpec.columns("id"))
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .build();
  }

  private void create(IcebergSettings settings, boolean partitioned, Types.NestedField... fields) {
    org.apache.iceberg.Schema schema = new org.apache.iceberg.Schema(fields);
    try (CatalogHandle c = new CatalogHandle(settings)) {
      ((SupportsNamespaces) c.catalog()).createNamespace(Namespace.of("idem"));
      c.catalog()
          .createTable(
              TableIdentifier.of("idem", "ex"),
              schema,
              partitioned
                  ? PartitionSpec.builderFor(schema).identity("_idem_window").build()
                  : PartitionSpec.unpartitioned());
    }
  }

  @Test
  void rowsGoToTheirColumnsByNameAndTheTablesOwnColumnStaysNull() throws Exception {
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    create(
        settings,
        true,
        Types.NestedField.optional(1, "note", Types.StringType.get()),
        Types.NestedField.optional(2, "at", Types.TimestampType.withoutZone()),
        Types.NestedField.optional(3, "_idem_window_order", Types.StringType.get()),
        Types.NestedField.optional(4, "name", Types.StringType.get()),
        Types.NestedField.required(5, "_idem_window", Types.StringType.get()),
        Types.NestedField.optional(6, "id", Types.LongType.get()));
    Pipeline p = pipeline();
    try (IcebergDestination d = new IcebergDestination(settings, RunServices.defaults())) {
      RunReport r =
          new Runner(d, RunServices.defaults())
              .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(d.tableRows("ex"))
          .containsExactly(
              "note=null|at=2024-03-01T10:00|name=ada|_idem_window=2024-03-01|id=1",
              "note=null|at=2024-03-01T11:00|name=bob|_idem_window=2024-03-01|id=2");
    }
  }

  @Test
  void aColumnOfAnotherTypeIsRefusedInOneLineNamingIt() {
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    create(
        settings,
        true,
        Types.NestedField.optional(1, "id", Types.StringType.get()),
        Types.NestedField.optional(2, "name", Types.StringType.get()),
        Types.NestedField.optional(3, "at", Types.TimestampType.withoutZone()),
        Types.NestedField.required(4, "_idem_window", Types.StringType.get()),
        Types.NestedField.optional(5, "_idem_window_order", Types.StringType.get()));
    try (IcebergDestination d = new IcebergDestination(settings, RunServices.defaults())) {
      assertThatThrownBy(() -> d.prepare(pipeline()))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "iceberg table ex column id is string: expected long (the pipeline's declared type)");
    }
  }

  @Test
  void aTableNotPartitionedByTheWindowIsRefusedInOneLine() {
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    create(
        settings,
        false,
        Types.NestedField.optional(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "name", Types.StringType.get()),
        Types.NestedField.optional(3, "at", Types.TimestampType.withoutZone()),
        Types.NestedField.required(4, "_idem_window", Types.StringType.get()),
        Types.NestedField.optional(5, "_idem_window_order", Types.StringType.get()));
    try (IcebergDestination d = new IcebergDestination(settings, RunServices.defaults())) {
      assertThatThrownBy(() -> d.prepare(pipeline()))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "iceberg table ex is partitioned by []: expected identity(_idem_window) alone, by"
                  + " which idem addresses a window's rows");
    }
  }
}
