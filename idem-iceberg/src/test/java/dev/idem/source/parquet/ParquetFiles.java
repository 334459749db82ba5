package dev.idem.source.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.format.Util;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes test Parquet files with parquet-hadoop's example writer: a schema in Parquet's own text
 * form, and rows as values in field order (null: the value is absent). A Long, Integer, Boolean,
 * Double, Float, String or Binary is written as such: a decimal column takes its unscaled value, a
 * timestamp its count of units since the epoch, as Parquet stores them.
 */
final class ParquetFiles {
  private ParquetFiles() {}

  static void write(Path file, String schema, Object[]... rows) throws IOException {
    write(file, schema, Long.MAX_VALUE, rows);
  }

  /**
   * With row groups of about {@code rowGroupBytes} (the writer checks their size after every row),
   * so that a few hundred rows make several row groups.
   */
  static void write(Path file, String schema, long rowGroupBytes, Object[]... rows)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    ExampleParquetWriter.Builder b =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(type)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
    if (rowGroupBytes != Long.MAX_VALUE) {
      b = b.withRowGroupSize(rowGroupBytes).withPageSize(64).withMinRowCountForPageSizeCheck(1);
    }
    try (ParquetWriter<Group> w = b.build()) {
      for (Object[] row : rows) {
        Group g = groups.newGroup();
        for (int f = 0; f < row.length; f++) {
          String name = type.getFieldName(f);
          Object v = row[f];
          if (v == null) {
            continue;
          }
          if (v instanceof Long l) {
            g.append(name, l);
          } else if (v instanceof Integer i) {
            g.append(name, i);
          } else if (v instanceof Boolean bool) {
            g.append(name, bool);
          } else if (v instanceof Double d) {
            g.append(name, d);
          } else if (v instanceof Float fl) {
            g.append(name, fl);
          } else if (v instanceof String s) {
            g.append(name, s);
          } else if (v instanceof Binary bin) {
            g.append(name, bin);
          } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
          }
        }
        w.write(g);
      }
    }
  }

  /**
   * Rewrites {@code file}'s footer with a row group of no rows at {@code at} (among the row
   * groups), as some writers leave them (parquet-mr's writer refuses to write one). Its column
   * chunks are the first row group's, never read: Parquet's reader passes over a row group of no
   * rows.
   */
  static void insertEmptyRowGroup(Path file, int at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int footerLength =
        ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    ParquetMetadata footer;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      footer = r.getFooter();
    }
    List<BlockMetaData> blocks = new ArrayList<>(footer.getBlocks());
    BlockMetaData empty = new BlockMetaData();
    blocks.get(0).getColumns().forEach(empty::addColumn);
    empty.setRowCount(0);
    blocks.add(at, empty);
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    Util.writeFileMetaData(
        new ParquetMetadataConverter()
            .toParquetMetadata(1, new ParquetMetadata(footer.getFileMetaData(), blocks)),
        meta);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, bytes.length - 8 - footerLength);
    meta.writeTo(out);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.size()).array());
    out.write("PAR1".getBytes(StandardCharsets.US_ASCII));
    Files.write(file, out.toByteArray());
  }

  /** Overwrites the first bytes of row group {@code group}'s data, so that it cannot be decoded. */
  static void breakRowGroup(Path file, int group) throws IOException {
    long at;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      at = r.getRowGroups().get(group).getStartingPos();
    }
    byte[] bytes = Files.readAllBytes(file);
    Arrays.fill(bytes, (int) at, (int) at + 8, (byte) 0xff);
    Files.write(file, bytes);
  }
}
