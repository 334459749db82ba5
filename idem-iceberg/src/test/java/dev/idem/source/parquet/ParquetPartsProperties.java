package dev.idem.source.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSet;
import dev.idem.source.file.FileSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * A Parquet file read in parts (runs of row groups, as Spark tasks read a large file) gives what
 * the whole window's read gives: for every day window, the parts of every file holding it, read one
 * after another by sources of that one file, return the same records (values, positions counted
 * across row groups, bad values and bad records with their reasons and raw rows) in the same order.
 */
class ParquetPartsProperties {
  private static final String SCHEMA =
      "message m { required int64 id; optional binary amount (STRING);"
          + " optional int64 at (TIMESTAMP(MICROS,true)); }";

  private static final Schema DECLARED =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("amount", DataType.decimal(10, 2)),
          Column.of("at", DataType.TIMESTAMPTZ));

  private static final long DAY_1 = Instant.parse("2024-03-01T10:00:00Z").getEpochSecond();

  /** A row: its day (0 to 2, 3 for none: a null window column), and whether its amount is bad. */
  record Row(int day, boolean badAmount) {}

  @Provide
  Arbitrary<List<List<Row>>> files() {
    Arbitrary<Row> row =
        Arbitraries.integers()
            .between(0, 3)
            .flatMap(
                d ->
                    Arbitraries.integers()
                        .between(0, 9)
                        .map(b -> new Row(d == 3 && b > 2 ? 0 : d, b == 0)));
    // a file's first row has a day: a file of no window at all cannot be read
    Arbitrary<List<Row>> file =
        Arbitraries.integers()
            .between(0, 2)
            .flatMap(
                d ->
                    row.list()
                        .ofMaxSize(120)
                        .map(
                            rest -> {
                              List<Row> rows = new ArrayList<>(List.of(new Row(d, false)));
                              rows.addAll(rest);
                              return rows;
                            }));
    return file.list().ofMinSize(1).ofMaxSize(3);
  }

  @Property(tries = 40)
  void readingEveryPartOfEveryFileEqualsReadingTheWindow(
      @ForAll("files") List<List<Row>> files,
      @ForAll @IntRange(min = 200, max = 4000) int rowGroupBytes,
      @ForAll @IntRange(min = 1, max = 6000) int partBytes)
      throws IOException {
    Path dir = Files.createTempDirectory("parquet-parts");
    try {
      int id = 0;
      boolean split = false;
      for (int f = 0; f < files.size(); f++) {
        List<Object[]> rows = new ArrayList<>();
        for (Row r : files.get(f)) {
          id++;
          rows.add(
              new Object[] {
                (long) id,
                r.badAmount() ? "not a number" : id + ".25",
                r.day() == 3 ? null : (DAY_1 + r.day() * 86_400L + id) * 1_000_000L
              });
        }
        Path file = dir.resolve("data/f" + f + ".parquet");
        ParquetFiles.write(file, SCHEMA, rowGroupBytes, rows.toArray(new Object[0][]));
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
          split |= r.getRowGroups().size() > 1;
        }
      }
      ParquetSource all = new ParquetSource(new FileSet(dir, "data/*.parquet"), DECLARED);
      WindowSpec spec = WindowSpec.day("at", ZoneId.of("UTC"));
      boolean someFileInParts = false;
      for (Window w : all.windows(spec)) {
        List<String> whole = read(all.read(spec, w, observed()));
        List<String> inParts = new ArrayList<>();
        for (FileSource.InputFile f : all.inputFiles(spec, w, partBytes)) {
          someFileInParts |= f.parts().size() > 1;
          ParquetSource one = new ParquetSource(new FileSet(dir, f.name()), DECLARED);
          for (FilePart part : f.parts()) {
            inParts.addAll(read(one.read(spec, w, observed(), f, part)));
          }
        }
        assertThat(inParts).as("window %s", w.id()).isEqualTo(whole);
      }
      if (split && partBytes < rowGroupBytes) {
        // a small part size splits a file of several row groups
        assertThat(someFileInParts).as("some file read in parts").isTrue();
      }
    } finally {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static ObservedSchema observed() {
    return ObservedSchema.of(DECLARED, DriftPolicy.DISCARD);
  }

  private static List<String> read(RecordReader reader) throws IOException {
    List<String> out = new ArrayList<>();
    try (reader) {
      for (SourceRecord r = reader.next(); r != null; r = reader.next()) {
        out.add(
            r.position()
                + " "
                + Arrays.toString(r.values())
                + " problem="
                + r.problem()
                + " bad="
                + r.badValues()
                + " raw="
                + r.raw());
      }
    }
    return out;
  }
}
