package dev.idem.source.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Connectors;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.iceberg.IcebergDestination;
import dev.idem.iceberg.IcebergSettings;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.BadValue;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSet;
import dev.idem.source.file.FileSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet file source: values typed by the declared columns from Parquet's physical and logical
 * types, nulls, values that do not fit as bad values naming file, row and reason, windows by day
 * over a glob of files, and the file-bytes fingerprint that makes an unchanged file's window
 * UNCHANGED on a re-run (into an Iceberg table, this plugin's destination).
 */
class ParquetSourceTest {
  /** Every type idem reads, as writers commonly store it. */
  private static final String ALL_TYPES =
      "message m { required int64 id; optional binary name (STRING);"
          + " optional int64 amount (DECIMAL(12,2)); optional int32 day (DATE);"
          + " optional int64 at_utc (TIMESTAMP(MICROS,true));"
          + " optional int64 at_local (TIMESTAMP(NANOS,false)); optional boolean ok;"
          + " optional double price; optional int32 small (INT_16);"
          + " optional fixed_len_byte_array(16) big (DECIMAL(30,4)); optional int96 legacy;"
          + " optional binary doc (JSON); }";

  private static final Schema ALL =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("day", DataType.DATE),
          Column.of("at_utc", DataType.TIMESTAMPTZ),
          Column.of("at_local", DataType.TIMESTAMP),
          Column.of("ok", DataType.BOOLEAN),
          Column.of("price", DataType.decimal(10, 3)),
          Column.of("small", DataType.INTEGER),
          Column.of("big", DataType.decimal(30, 4)),
          Column.of("legacy", DataType.TIMESTAMPTZ),
          Column.of("doc", DataType.JSON));

  @TempDir Path dir;

  private ParquetSource source(String pattern, Schema schema) {
    return new ParquetSource(new FileSet(dir, pattern), schema);
  }

  static List<SourceRecord> readAll(ParquetSource source, WindowSpec spec, Window window)
      throws IOException {
    List<SourceRecord> out = new ArrayList<>();
    try (RecordReader r = source.read(spec, window)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        out.add(rec);
      }
    }
    return out;
  }

  private static Binary fixed16(BigDecimal unscaledHolder) {
    byte[] raw = unscaledHolder.unscaledValue().toByteArray();
    byte[] out = new byte[16];
    byte fill = (byte) (raw[0] < 0 ? 0xff : 0);
    Arrays.fill(out, 0, 16 - raw.length, fill);
    System.arraycopy(raw, 0, out, 16 - raw.length, raw.length);
    return Binary.fromConstantByteArray(out);
  }

  /** Impala's and Spark's legacy timestamp: nanoseconds of the day, then the Julian day. */
  private static Binary int96(Instant t) {
    long epochDay = Math.floorDiv(t.getEpochSecond(), 86_400L);
    long nanosOfDay = Math.floorMod(t.getEpochSecond(), 86_400L) * 1_000_000_000L + t.getNano();
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(nanosOfDay).putInt((int) (epochDay + 2_440_588L));
    return Binary.fromConstantByteArray(b.array());
  }

  @Test
  void everyTypeIsReadExactlyAndAbsentValuesAreNull() throws IOException {
    Instant utc = Instant.parse("2024-03-15T07:30:00.123456Z");
    LocalDateTime local = LocalDateTime.parse("2024-03-15T23:59:59.123456789");
    ParquetFiles.write(
        dir.resolve("all.parquet"),
        ALL_TYPES,
        new Object[] {
          1L,
          "ada",
          1250L, // 12.50
          (int) LocalDate.of(2024, 3, 15).toEpochDay(),
          utc.getEpochSecond() * 1_000_000L + utc.getNano() / 1000,
          ChronoUnit.NANOS.between(LocalDateTime.of(1970, 1, 1, 0, 0), local),
          true,
          0.1,
          -7,
          fixed16(new BigDecimal("12345678901234567890.1234")),
          int96(Instant.parse("2001-02-03T04:05:06.000000789Z")),
          "{\"a\": [1, 2]}"
        },
        new Object[] {2L, null, null, null, null, null, null, null, null, null, null, null});
    List<SourceRecord> rows = readAll(source("all.parquet", ALL), WindowSpec.full(), Window.full());
    assertThat(rows)
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            Arrays.asList(
                1L,
                "ada",
                new BigDecimal("12.50"),
                LocalDate.of(2024, 3, 15),
                utc,
                local,
                true,
                new BigDecimal("0.100"),
                -7L,
                new BigDecimal("12345678901234567890.1234"),
                Instant.parse("2001-02-03T04:05:06.000000789Z"),
                "{\"a\": [1, 2]}"),
            Arrays.asList(2L, null, null, null, null, null, null, null, null, null, null, null));
    assertThat(rows)
        .extracting(SourceRecord::position)
        .containsExactly("all.parquet:1", "all.parquet:2");
    assertThat(rows).noneMatch(SourceRecord::isBad);
  }

  @Test
  void aValueThatDoesNotFitItsColumnIsABadValueNamingFileRowColumnAndWhy() throws IOException {
    Schema declared =
        Schema.of(
            new Column("id", DataType.INTEGER, false),
            Column.of("code", DataType.INTEGER),
            Column.of("at", DataType.TIMESTAMPTZ),
            Column.of("amount", DataType.decimal(4, 2)));
    ParquetFiles.write(
        dir.resolve("bad.parquet"),
        "message m { optional int64 id; optional binary code (STRING);"
            + " optional int64 at (TIMESTAMP(MILLIS,false)); optional double amount; }",
        new Object[] {1L, "17", null, 1.5},
        new Object[] {2L, "x7", null, null},
        new Object[] {3L, null, 1_700_000_000_000L, null},
        new Object[] {null, null, null, null},
        new Object[] {5L, null, null, 123.25});
    List<SourceRecord> rows =
        readAll(source("bad.parquet", declared), WindowSpec.full(), Window.full());
    assertThat(rows).hasSize(5);
    assertThat(Arrays.asList(rows.get(0).values()))
        .containsExactly(1L, 17L, null, new BigDecimal("1.50"));
    assertThat(rows.get(0).badValues()).isEmpty();

    assertThat(rows.get(1).position()).isEqualTo("bad.parquet:2");
    assertThat(rows.get(1).badValues()).extracting(BadValue::column).containsExactly("code");
    assertThat(rows.get(1).badValues().get(0).raw()).isEqualTo("x7");
    assertThat(rows.get(1).badValues().get(0).reason()).contains("'x7' is not an integer");
    assertThat(rows.get(1).raw()).isEqualTo("{\"id\": 2, \"code\": \"x7\"}");

    assertThat(rows.get(2).position()).isEqualTo("bad.parquet:3");
    assertThat(rows.get(2).badValues().get(0).reason())
        .isEqualTo(
            "column at: '2023-11-14T22:13:20' (Parquet int64 timestamp(millis,false)) is not a"
                + " timestamptz: it has no time zone: declare the column timestamp");

    // a null in a not-null column is a bad record of its own, at its row
    assertThat(rows.get(3).position()).isEqualTo("bad.parquet:4");
    assertThat(rows.get(3).problem()).contains("column id: null is not allowed");

    assertThat(rows.get(4).position()).isEqualTo("bad.parquet:5");
    assertThat(rows.get(4).badValues().get(0).reason()).contains("123.25");
  }

  @Test
  void aGlobOfFilesIsCutIntoDaysAndEachDayReadsOnlyTheFilesHoldingIt() throws IOException {
    String schema = "message m { required int64 id; required int64 at (TIMESTAMP(MICROS,true)); }";
    Schema declared =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMPTZ));
    long day9 = Instant.parse("2024-03-09T10:00:00Z").getEpochSecond() * 1_000_000L;
    long day10 = Instant.parse("2024-03-10T10:00:00Z").getEpochSecond() * 1_000_000L;
    ParquetFiles.write(
        dir.resolve("data/a.parquet"), schema, new Object[] {1L, day9}, new Object[] {2L, day10});
    ParquetFiles.write(dir.resolve("data/b.parquet"), schema, new Object[] {3L, day10});
    Files.writeString(dir.resolve("data/notes.txt"), "not matched by the glob");
    ParquetSource source = source("data/*.parquet", declared);
    WindowSpec spec = WindowSpec.day("at", ZoneId.of("UTC"));
    List<Window> windows = source.windows(spec);
    assertThat(windows).extracting(Window::id).containsExactly("2024-03-09", "2024-03-10");
    assertThat(source.inputFiles()).containsExactly("data/a.parquet", "data/b.parquet");
    assertThat(readAll(source, spec, windows.get(1)))
        .extracting(r -> r.values()[0] + "@" + r.position())
        .containsExactly("2@data/a.parquet:2", "3@data/b.parquet:1");

    String fp9 = source.fingerprint(spec, windows.get(0)).orElseThrow();
    String fp10 = source.fingerprint(spec, windows.get(1)).orElseThrow();
    ParquetFiles.write(dir.resolve("data/b.parquet"), schema, new Object[] {4L, day10});
    ParquetSource again = source("data/*.parquet", declared);
    assertThat(again.fingerprint(spec, windows.get(0))).contains(fp9);
    assertThat(again.fingerprint(spec, windows.get(1)).orElseThrow()).isNotEqualTo(fp10);
  }

  @Test
  void rowGroupsFollowOneAnotherAndRowNumbersCountAcrossThem() throws IOException {
    Object[][] rows = new Object[200][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new Object[] {(long) i + 1, "row " + (i + 1)};
    }
    ParquetFiles.write(
        dir.resolve("many.parquet"),
        "message m { required int64 id; required binary name (STRING); }",
        1024,
        rows);
    Schema declared =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));
    List<SourceRecord> read =
        readAll(source("many.parquet", declared), WindowSpec.full(), Window.full());
    try (ParquetFileReader f =
        ParquetFileReader.open(new LocalInputFile(dir.resolve("many.parquet")))) {
      assertThat(f.getRowGroups()).as("row groups").hasSizeGreaterThan(1);
    }
    assertThat(read).hasSize(200);
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i).position()).isEqualTo("many.parquet:" + (i + 1));
      assertThat(read.get(i).values()).containsExactly((long) i + 1, "row " + (i + 1));
    }
  }

  /**
   * A file read in parts (a run of row groups each, as Spark's tasks read it) gives what the whole
   * file's read gives, with a row group of no rows (which Parquet's reader passes over), with a row
   * group that cannot be decoded after a bad record (the failure at the group's first row, so a
   * part's reader fails there too), and with a file that is not Parquet (one part: it fails when
   * the window's read reaches it).
   */
  @Test
  void aFileReadInPartsGivesTheWholeFilesRecordsAndFailure() throws IOException {
    String type = "message m { optional int64 id; required binary name (STRING); }";
    Schema declared =
        Schema.of(new Column("id", DataType.INTEGER, false), Column.of("name", DataType.STRING));
    Object[][] rows = new Object[5][];
    for (int i = 0; i < rows.length; i++) {
      // row 2 has no id, a bad record
      rows[i] = new Object[] {i == 1 ? null : (long) i + 1, "row " + (i + 1)};
    }
    ParquetFiles.write(dir.resolve("empty.parquet"), type, 1, rows);
    ParquetFiles.insertEmptyRowGroup(dir.resolve("empty.parquet"), 3);
    ParquetFiles.write(dir.resolve("broken.parquet"), type, 1, rows);
    ParquetFiles.breakRowGroup(dir.resolve("broken.parquet"), 2);
    Files.writeString(dir.resolve("text.parquet"), "not parquet at all");

    List<String> whole = readInParts("empty.parquet", declared, Long.MAX_VALUE);
    assertThat(whole).hasSize(5).element(4).isEqualTo("empty.parquet:5 [5, row 5] null");
    assertThat(readInParts("empty.parquet", declared, 1)).isEqualTo(whole);

    whole = readInParts("broken.parquet", declared, Long.MAX_VALUE);
    // the bad record of row 2, then the undecodable row group at its first row, a bad record
    // before the read fails there
    assertThat(whole)
        .hasSize(4)
        .element(2)
        .asString()
        .startsWith("broken.parquet:3 the Parquet data cannot be decoded");
    assertThat(whole.get(3)).startsWith("failed: broken.parquet:3: the Parquet data cannot be");
    assertThat(readInParts("broken.parquet", declared, 1)).isEqualTo(whole);

    ParquetSource text = source("text.parquet", declared);
    assertThat(text.inputFiles(WindowSpec.full(), Window.full(), 1))
        .singleElement()
        .satisfies(f -> assertThat(f.parts()).containsExactly(FilePart.WHOLE));
    assertThat(readInParts("text.parquet", declared, 1))
        .singleElement()
        .asString()
        .startsWith("failed: text.parquet: not a readable Parquet file");
  }

  /**
   * The full window of {@code file} read part by part (parts of {@code bytes}), as "position values
   * problem" lines, and "failed: message" where the read failed.
   */
  private List<String> readInParts(String file, Schema declared, long bytes) throws IOException {
    ParquetSource source = source(file, declared);
    List<String> out = new ArrayList<>();
    FileSource.InputFile input = source.inputFiles(WindowSpec.full(), Window.full(), bytes).get(0);
    try {
      for (FilePart part : input.parts()) {
        try (RecordReader r =
            source.read(
                WindowSpec.full(),
                Window.full(),
                ObservedSchema.of(declared, DriftPolicy.DISCARD),
                input,
                part)) {
          for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
            out.add(
                rec.position()
                    + " "
                    + (rec.isBad() ? rec.problem() : Arrays.toString(rec.values()) + " null"));
          }
        }
      }
    } catch (DataException e) {
      out.add("failed: " + e.getMessage());
    }
    return out;
  }

  @Test
  void aFileWithoutADeclaredColumnOrNotParquetAtAllIsNamed() throws IOException {
    ParquetFiles.write(
        dir.resolve("narrow.parquet"), "message m { required int64 id; }", new Object[] {1L});
    Files.writeString(dir.resolve("text.parquet"), "id\n1\n");
    Schema declared =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));
    assertThatThrownBy(
            () -> readAll(source("narrow.parquet", declared), WindowSpec.full(), Window.full()))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "narrow.parquet: the file has no column 'name': expected the declared columns"
                + " [id, name], found [id]");
    assertThatThrownBy(
            () -> readAll(source("text.parquet", declared), WindowSpec.full(), Window.full()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("text.parquet: not a readable Parquet file: ");

    // observed, the missing column is schema drift, judged by the pipeline's policy
    ObservedSchema observed = ObservedSchema.of(declared, DriftPolicy.DISCARD);
    try (RecordReader r =
        source("narrow.parquet", declared).read(WindowSpec.full(), Window.full(), observed)) {
      assertThat(r.next().values()).containsExactly(1L, null);
    }
    assertThat(observed.lacks(1)).isTrue();
  }

  @Test
  void uuidEnumTimeAndUnsignedValuesAndANestedColumnRefusedByName() throws IOException {
    java.util.UUID u = java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
    ByteBuffer ub = ByteBuffer.allocate(16);
    ub.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    ParquetFiles.write(
        dir.resolve("misc.parquet"),
        "message m { optional fixed_len_byte_array(16) u (UUID); optional binary e (ENUM);"
            + " optional int64 t (TIME(MICROS,false)); optional int64 big (UINT_64); }",
        new Object[] {Binary.fromConstantByteArray(ub.array()), "RED", 45_296_000_001L, -1L});
    Schema declared =
        Schema.of(
            Column.of("u", DataType.STRING),
            Column.of("e", DataType.STRING),
            Column.of("t", DataType.STRING),
            Column.of("big", DataType.decimal(20, 0)));
    assertThat(readAll(source("misc.parquet", declared), WindowSpec.full(), Window.full()))
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            Arrays.asList(
                u.toString(), "RED", "12:34:56.000001", new BigDecimal("18446744073709551615")));

    ParquetFiles.write(
        dir.resolve("nested.parquet"),
        "message m { required int64 id; optional group tags (LIST) { repeated binary tag (STRING); } }",
        new Object[] {1L});
    Schema withTags =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("tags", DataType.JSON));
    assertThatThrownBy(
            () -> readAll(source("nested.parquet", withTags), WindowSpec.full(), Window.full()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("nested.parquet: column 'tags' is a nested Parquet type (")
        .hasMessageEndingWith("): only flat columns (one primitive value per row) are read");
  }

  @Test
  void undeclaredColumnsAreAddedTypedByTheirParquetTypeAndEvolveKeepsTheirValues()
      throws IOException {
    ParquetFiles.write(
        dir.resolve("wide.parquet"),
        "message m { required int64 id; optional int64 discount (DECIMAL(6,2));"
            + " optional binary note (STRING); }",
        new Object[] {1L, 50L, "x"},
        new Object[] {2L, null, null});
    Schema declared = Schema.of(Column.of("id", DataType.INTEGER));
    ObservedSchema observed = ObservedSchema.of(declared, DriftPolicy.EVOLVE);
    List<List<Object>> rows = new ArrayList<>();
    try (RecordReader r =
        source("wide.parquet", declared).read(WindowSpec.full(), Window.full(), observed)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        rows.add(Arrays.asList(rec.values()));
      }
    }
    assertThat(observed.diff().added()).containsExactly("discount", "note");
    assertThat(List.of(observed.column(0).type(), observed.column(1).type()))
        .containsExactly(DataType.decimal(6, 2), DataType.STRING);
    assertThat(rows)
        .containsExactly(
            Arrays.asList(1L, new BigDecimal("0.50"), "x"), Arrays.asList(2L, null, null));
  }

  @Test
  void theFactoryTakesTypeAndPathAndRefusesTheTextFormatsKeysByName() {
    ConnectorContext context = new ConnectorContext(dir, "orders", name -> null, new Secrets());
    Schema declared = Schema.of(Column.of("id", DataType.INTEGER));
    ParquetSourceFactory f = new ParquetSourceFactory();
    assertThat(Connectors.discover(getClass().getClassLoader()).source("parquet"))
        .get()
        .isInstanceOf(ParquetSourceFactory.class);
    assertThat(f.bind(section("type", "parquet", "path", "data/*.parquet"), declared, context))
        .isInstanceOf(ParquetSource.class)
        .extracting(s -> s.describe())
        .isEqualTo("parquet data/*.parquet");
    assertThatThrownBy(
            () ->
                f.bind(
                    section("type", "parquet", "path", "x.parquet", "encoding", "UTF-8"),
                    declared,
                    context))
        .hasMessageContaining(
            "source.encoding: a Parquet file types and encodes its own values, so a parquet"
                + " source has no 'encoding'");
    assertThatThrownBy(
            () -> f.bind(section("type", "parquet", "pth", "x.parquet"), declared, context))
        .hasMessageContaining("unknown key 'pth' in source");
  }

  private static ConfigNode.Mapping section(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return ConfigNode.Mapping.of("p.yaml", m);
  }

  @Test
  void anUnchangedFileIsUnchangedOnARerunAndAChangedOneIsLoadedAgain() throws Exception {
    String schema =
        "message m { required int64 id; optional binary name (STRING);"
            + " optional int64 amount (DECIMAL(12,2)); }";
    ParquetFiles.write(
        dir.resolve("data/1.parquet"),
        schema,
        new Object[] {1L, "ada", 1000L},
        new Object[] {2L, null, 250L});
    ParquetFiles.write(dir.resolve("data/2.parquet"), schema, new Object[] {3L, "cyd", 725L});
    Pipeline p =
        Pipeline.builder("parquet")
            .version("1")
            .source(
                new ParquetSource(
                    new FileSet(dir, "data/*.parquet"),
                    Schema.of(
                        Column.of("id", DataType.INTEGER),
                        Column.of("name", DataType.STRING),
                        Column.of("amount", DataType.decimal(12, 2)))))
            .windows(WindowSpec.file())
            .table("orders")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    IcebergSettings settings = IcebergSettings.local(dir.resolve("warehouse"), "idem");
    try (IcebergDestination d = new IcebergDestination(settings, RunServices.defaults())) {
      RunReport first = run(d, p, "r1");
      assertThat(first.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.LOADED);
      List<String> rows = d.tableRows("orders");
      assertThat(rows)
          .containsExactly(
              "id=1|name=ada|amount=10.00|_idem_window=data/1.parquet",
              "id=2|name=null|amount=2.50|_idem_window=data/1.parquet",
              "id=3|name=cyd|amount=7.25|_idem_window=data/2.parquet");

      RunReport second = run(d, p, "r2");
      assertThat(second.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.UNCHANGED);
      assertThat(d.tableRows("orders")).isEqualTo(rows);

      ParquetFiles.write(dir.resolve("data/2.parquet"), schema, new Object[] {3L, "cyd", 800L});
      RunReport third = run(d, p, "r3");
      assertThat(third.outcomes())
          .extracting(o -> o.window().id() + "=" + o.result())
          .containsExactly("data/1.parquet=UNCHANGED", "data/2.parquet=LOADED");
      assertThat(d.tableRows("orders"))
          .contains("id=3|name=cyd|amount=8.00|_idem_window=data/2.parquet");
    }
  }

  private static RunReport run(IcebergDestination d, Pipeline p, String runId) throws Exception {
    RunReport r =
        new Runner(d, RunServices.defaults())
            .run(p, p.source().windows(p.windows()), RunOptions.defaults(runId));
    assertThat(r.ok()).as(r.toString()).isTrue();
    return r;
  }
}
