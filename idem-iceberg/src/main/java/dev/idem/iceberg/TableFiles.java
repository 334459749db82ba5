package dev.idem.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Parquet data files of one table, written and read with Iceberg's generic records: no engine, one
 * JVM. Files are written under the table's location provider and count only once a commit adds
 * them; a file of a commit that never happened is an orphan (see docs/iceberg-destination.md).
 */
final class TableFiles {
  private final Table table;
  private final org.apache.iceberg.Schema schema;

  TableFiles(Table table) {
    this(table, table.schema());
  }

  /**
   * Files of {@code table} written and read as {@code schema}: the table's, or the one a window's
   * commit gives it (schema_drift evolve).
   */
  TableFiles(Table table, org.apache.iceberg.Schema schema) {
    this.table = table;
    this.schema = schema;
  }

  /** The schema records and data files follow. */
  org.apache.iceberg.Schema schema() {
    return schema;
  }

  /** Writes {@code records} (all of one window's partition) to a new data file. */
  DataFile write(List<Record> records, StructLike partition) {
    PartitionKey key = new PartitionKey(table.spec(), schema);
    if (partition == null) {
      key.partition(records.get(0));
    } else {
      for (int i = 0; i < table.spec().fields().size(); i++) {
        key.set(i, partition.get(i, Object.class));
      }
    }
    String name = "idem-" + UUID.randomUUID() + ".parquet";
    OutputFile out =
        table.io().newOutputFile(table.locationProvider().newDataLocation(table.spec(), key, name));
    DataWriter<Record> writer;
    try {
      writer =
          Parquet.writeData(out)
              .forTable(table)
              .schema(schema)
              .createWriterFunc(GenericParquetWriter::create)
              .withSpec(table.spec())
              .withPartition(key)
              .overwrite()
              .build();
      try (writer) {
        records.forEach(writer::write);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + out.location(), e);
    }
    return writer.toDataFile();
  }

  /** The data files of the current snapshot that may hold rows matching {@code filter}. */
  List<DataFile> files(Expression filter) {
    Snapshot current = table.currentSnapshot();
    List<DataFile> files = new ArrayList<>();
    if (current == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(current.snapshotId()).filter(filter).planFiles()) {
      tasks.forEach(t -> files.add(t.file()));
    } catch (IOException e) {
      throw new UncheckedIOException("planning a scan of " + table.name(), e);
    }
    return files;
  }

  /** Every row of a data file. */
  List<Record> read(DataFile file) {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it =
        Parquet.read(table.io().newInputFile(file.location()))
            .project(schema)
            .createReaderFunc(s -> GenericParquetReaders.buildReader(schema, s))
            .build()) {
      it.forEach(r -> rows.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file.location(), e);
    }
    return rows;
  }

  /** Removes files written for a commit that did not happen. */
  void discard(List<DataFile> written) {
    written.forEach(f -> table.io().deleteFile(f.location()));
  }
}
