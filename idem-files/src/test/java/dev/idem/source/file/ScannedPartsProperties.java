package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.file.FileSource.ScannedFile;
import dev.idem.source.file.MalformedInputProperties.Piece;
import dev.idem.source.file.MalformedInputProperties.Row;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * A file scanned for its day windows a part at a time ({@link FileSource#scanFile}, as an engine's
 * tasks scan a large one) gives, its parts' scans joined ({@link ScannedFile#joined}), the scan of
 * the whole file: the same windows, records without one, and failure; on the garbage-laced files of
 * {@link MalformedInputProperties} with a day in their rows' third column (some not a day). The
 * join declines, and the file is scanned whole, exactly where a part before the last stopped at a
 * record it could not read past (a CSV syntax error, or a quoted line break at the part's end).
 */
class ScannedPartsProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("at", DataType.DATE));
  private static final WindowSpec DAYS = WindowSpec.day("at", ZoneOffset.UTC);
  private static final MalformedInputProperties FILES = new MalformedInputProperties();
  private static Path dir;

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-scanned-parts");
  }

  @AfterContainer
  static void deleteDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Provide
  Arbitrary<List<Piece>> anyCsv() {
    return FILES.anyCsv();
  }

  @Provide
  Arbitrary<List<Piece>> jsonLines() {
    return FILES.jsonLines();
  }

  /** One of three days by the row's id, or, for one id in five, text that is no day. */
  private static String day(Row r) {
    return Math.floorMod(r.id(), 5) == 0
        ? "no day"
        : LocalDate.of(2024, 1, 1).plusDays(Math.floorMod(r.id(), 3)).toString();
  }

  @Property(tries = 300)
  void csvScannedInPartsIsTheWholeFilesScanUnlessAPartBeforeTheLastStopped(
      @ForAll("anyCsv") List<Piece> pieces, @ForAll @LongRange(min = 1, max = 120) long bytes)
      throws IOException {
    Files.write(
        dir.resolve("any.csv"),
        MalformedInputProperties.csv(pieces, new HashMap<>(), "at", ScannedPartsProperties::day));
    assertPartsJoinAsWhole(
        new CsvSource(new FileSet(dir, "any.csv"), SCHEMA, CsvFormat.DEFAULT, ScanCache.none()),
        "any.csv",
        bytes);
  }

  @Property(tries = 200)
  void jsonLinesScannedInPartsIsTheWholeFilesScan(
      @ForAll("jsonLines") List<Piece> pieces, @ForAll @LongRange(min = 1, max = 120) long bytes)
      throws IOException {
    Files.write(
        dir.resolve("in.jsonl"),
        MalformedInputProperties.jsonl(pieces, new HashMap<>(), "at", r -> "\"" + day(r) + "\""));
    assertPartsJoinAsWhole(
        new JsonLinesSource(new FileSet(dir, "in.jsonl"), SCHEMA, StandardCharsets.UTF_8),
        "in.jsonl",
        bytes);
  }

  /** A quoted line break at a part's end stops that part: the file is scanned whole. */
  @Example
  void aQuotedLineBreakAtAPartsEndDeclinesTheJoin() throws IOException {
    String text = "id,name,at\n1,a,2024-01-01\n2,\"two\nlines\",2024-01-02\n3,c,2024-01-03\n";
    Files.writeString(dir.resolve("quoted.csv"), text, StandardCharsets.UTF_8);
    CsvSource csv =
        new CsvSource(new FileSet(dir, "quoted.csv"), SCHEMA, CsvFormat.DEFAULT, ScanCache.none());
    List<ScannedFile> parts = scanInParts(csv, "quoted.csv", text.indexOf("two\n") + 4);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).stopped()).isTrue();
    assertThat(ScannedFile.joined(parts)).isNull();
    // split at a record's start, the parts join
    List<ScannedFile> elsewhere = scanInParts(csv, "quoted.csv", text.indexOf("3,c"));
    assertThat(ScannedFile.joined(elsewhere).windowIds())
        .containsExactly("2024-01-01", "2024-01-02", "2024-01-03");
  }

  private static List<ScannedFile> scanInParts(FileSource source, String name, long bytes)
      throws IOException {
    List<ScannedFile> parts = new ArrayList<>();
    for (FilePart part : source.partsOf(name, bytes)) {
      parts.add(source.scanFile(DAYS, part));
    }
    return parts;
  }

  private static void assertPartsJoinAsWhole(FileSource source, String name, long bytes)
      throws IOException {
    ScannedFile whole = ScannedFile.joined(List.of(source.scanFile(DAYS, FilePart.WHOLE)));
    List<ScannedFile> parts = scanInParts(source, name, bytes);
    boolean stoppedBeforeTheLast = false;
    for (int i = 0; i + 1 < parts.size(); i++) {
      stoppedBeforeTheLast |= parts.get(i).stopped();
    }
    ScannedFile joined = ScannedFile.joined(parts);
    Statistics.label("scanned whole instead").collect(joined == null);
    Statistics.label("parts").collect(parts.size() > 1 ? "several" : "one");
    Statistics.label("parts").coverage(c -> c.check("several").percentage(p -> p > 50));
    Statistics.label("whole file").collect(whole.failed() ? "failed" : "windows");
    Statistics.label("whole file").coverage(c -> c.check("windows").percentage(p -> p > 50));
    assertThat(joined == null).isEqualTo(stoppedBeforeTheLast);
    if (joined != null) {
      assertThat(joined).isEqualTo(whole);
    }
    // the whole file's scan is the one the source makes for its windows
    List<String> windows;
    try {
      windows = source.windows(DAYS).stream().map(Window::id).toList();
    } catch (DataException e) {
      assertThat(whole.failed()).as("failed as the source's scan: %s", e.getMessage()).isTrue();
      return;
    }
    assertThat(whole.failed()).isFalse();
    assertThat(whole.windowIds()).isEqualTo(windows);
  }
}
