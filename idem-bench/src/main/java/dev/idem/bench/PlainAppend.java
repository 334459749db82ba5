package dev.idem.bench;

import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The limit of the Iceberg cases: the same rows, read by the same CSV source window by window, as
 * one Parquet data file per day ({@code GenericParquetWriter}) and one {@code newAppend()} commit
 * per day, into a table partitioned by its day like idem's ({@code _window}, identity), in the same
 * kind of catalog (Iceberg's JDBC catalog on SQLite). No ledger, no dedup, no key lookup.
 */
final class PlainAppend {
  private PlainAppend() {}

  static void load(Path warehouse, Pipeline p, List<Window> windows) throws IOException {
    Files.createDirectories(warehouse);
    Map<String, String> props =
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + warehouse.resolve("catalog.db"),
            CatalogProperties.WAREHOUSE_LOCATION,
            warehouse.toString(),
            "jdbc.schema-version",
            "V1",
            CatalogUtil.ICEBERG_CATALOG_TYPE,
            "jdbc");
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    Catalog catalog = CatalogUtil.buildIcebergCatalog("plain", props, conf);
    try {
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of("plain"));
      List<Column> columns = p.source().schema().columns();
      List<Types.NestedField> fields = new ArrayList<>();
      for (Column c : columns) {
        fields.add(Types.NestedField.optional(fields.size() + 1, c.name(), type(c)));
      }
      fields.add(Types.NestedField.optional(fields.size() + 1, "_window", Types.StringType.get()));
      Schema schema = new Schema(fields);
      Table table =
          catalog.createTable(
              TableIdentifier.of("plain", p.target().table()),
              schema,
              PartitionSpec.builderFor(schema).identity("_window").build(),
              Map.of(
                  TableProperties.FORMAT_VERSION, "2",
                  TableProperties.DEFAULT_FILE_FORMAT, "parquet"));
      for (Window w : windows) {
        List<Record> rows = new ArrayList<>();
        try (RecordReader reader = p.source().read(p.windows(), w)) {
          for (SourceRecord r = reader.next(); r != null; r = reader.next()) {
            Record rec = GenericRecord.create(schema);
            Object[] v = r.values();
            for (int i = 0; i < columns.size(); i++) {
              rec.set(i, v[i]);
            }
            rec.set(columns.size(), w.id());
            rows.add(rec);
          }
        }
        table.newAppend().appendFile(write(table, rows)).commit();
      }
    } finally {
      if (catalog instanceof java.io.Closeable c) {
        c.close();
      }
    }
  }

  private static DataFile write(Table table, List<Record> rows) throws IOException {
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(rows.get(0));
    String name = "plain-" + UUID.randomUUID() + ".parquet";
    OutputFile out =
        table.io().newOutputFile(table.locationProvider().newDataLocation(table.spec(), key, name));
    DataWriter<Record> writer =
        Parquet.writeData(out)
            .forTable(table)
            .createWriterFunc(GenericParquetWriter::create)
            .withSpec(table.spec())
            .withPartition(key)
            .overwrite()
            .build();
    try (writer) {
      rows.forEach(writer::write);
    }
    return writer.toDataFile();
  }

  private static Type type(Column c) {
    return switch (c.type().kind()) {
      case INTEGER -> Types.LongType.get();
      case DECIMAL -> Types.DecimalType.of(c.type().precision(), c.type().scale());
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case STRING -> Types.StringType.get();
      default -> throw new IllegalArgumentException("not in the orders: " + c.type());
    };
  }
}
