package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.MalformedInputProperties.Piece;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A CSV or JSON-lines file read in parts of a few bytes ({@link TextPart}, as Spark tasks read a
 * large one) gives the records, positions, problems, failure and schema observation of the whole
 * file's read, on the garbage-laced files of {@link MalformedInputProperties}: whenever no part but
 * the last failed, which is the engine's sign to read the file whole instead (a quoted line break
 * at a part's end). Without a line break inside a quoted field that never happens.
 */
class TextPartsProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)));
  private static final MalformedInputProperties FILES = new MalformedInputProperties();
  private static Path dir;

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-text-parts");
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

  /**
   * {@link MalformedInputProperties}' CSV without a quote in its garbage, and without a line break
   * in its rows' quoted names: no line break inside a quoted field.
   */
  @Provide
  Arbitrary<List<Piece>> withoutQuotedLineBreaks() {
    return FILES
        .lineLocalCsv()
        .map(
            pieces ->
                pieces.stream()
                    .map(
                        p ->
                            p.row() == null
                                ? p
                                : new Piece(
                                    new MalformedInputProperties.Row(
                                        p.row().id(),
                                        p.row().name().replace('\n', ' ').replace('\r', ' '),
                                        p.row().amount()),
                                    null))
                    .toList());
  }

  @Provide
  Arbitrary<List<Piece>> jsonLines() {
    return FILES.jsonLines();
  }

  @Property(tries = 300)
  void csvInPartsReadsAsTheWholeFileUnlessAPartBeforeTheLastFailed(
      @ForAll("anyCsv") List<Piece> pieces, @ForAll @LongRange(min = 1, max = 120) long bytes)
      throws IOException {
    CsvSource csv = csv("any.csv", MalformedInputProperties.csv(pieces, new HashMap<>()));
    Read whole = read(csv, FilePart.WHOLE);
    List<Read> parts = readInParts(csv, bytes);
    boolean readWhole = failedBeforeTheLast(parts);
    Statistics.label("read whole instead").collect(readWhole);
    Statistics.label("read whole instead").coverage(c -> c.check(false).percentage(p -> p > 50));
    if (!readWhole) {
      assertThat(joined(parts)).isEqualTo(whole);
    }
  }

  /** Without a line break inside a quoted field every part ends at a record's end. */
  @Property(tries = 200)
  void csvWithoutQuotedLineBreaksIsAlwaysReadInParts(
      @ForAll("withoutQuotedLineBreaks") List<Piece> pieces,
      @ForAll @LongRange(min = 1, max = 120) long bytes)
      throws IOException {
    assertPartsReadAsWhole(
        csv("plain.csv", MalformedInputProperties.csv(pieces, new HashMap<>())), bytes);
  }

  /** A JSON line holds no line break: every part ends at a record's end. */
  @Property(tries = 200)
  void jsonLinesInPartsReadAsTheWholeFile(
      @ForAll("jsonLines") List<Piece> pieces, @ForAll @LongRange(min = 1, max = 120) long bytes)
      throws IOException {
    Files.write(dir.resolve("in.jsonl"), MalformedInputProperties.jsonl(pieces, new HashMap<>()));
    assertPartsReadAsWhole(
        new JsonLinesSource(new FileSet(dir, "in.jsonl"), SCHEMA, StandardCharsets.UTF_8), bytes);
  }

  /**
   * A quoted field holding a line break, at a part's end: the part fails (its text ends inside the
   * quote), so the file is read whole; the parts around it that end at a record's end do not.
   */
  @Example
  void aQuotedLineBreakAcrossAPartsEndFailsThatPart() throws IOException {
    String text = "id,name,amount\n1,a,1.00\n2,\"two\nlines\",2.00\n3,c,3.00\n";
    CsvSource csv = csv("in.csv", text.getBytes(StandardCharsets.UTF_8));
    int lineBreakInQuotes = text.indexOf("two\n") + 4;
    List<Read> parts = readInParts(csv, lineBreakInQuotes);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).failure())
        .isEqualTo(
            "in.csv:3: malformed CSV: a quoted field opened in this record is never closed: the end"
                + " of the file was reached inside it, so nothing after line 3 can be read (close"
                + " the quote)");
    // split elsewhere, the record with the line break is read by one part, at its line
    List<Read> elsewhere = readInParts(csv, text.indexOf("3,c"));
    assertThat(failedBeforeTheLast(elsewhere)).isFalse();
    assertThat(elsewhere.get(1).records()).containsExactly("in.csv:5 [3, c, 3.00]");
    assertThat(joined(elsewhere)).isEqualTo(read(csv, FilePart.WHOLE));
  }

  /**
   * The records, the failure that stopped the read and the schema drift seen, as text; and what the
   * observation saw, for another to take.
   */
  record Read(List<String> records, String failure, String drift, ObservedSchema.Seen seen) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Read r
          && records.equals(r.records)
          && java.util.Objects.equals(failure, r.failure)
          && drift.equals(r.drift);
    }

    @Override
    public int hashCode() {
      return records.hashCode();
    }
  }

  /**
   * What the generated files do not hold: a byte order mark, no header, a single-byte encoding,
   * line ends of CR alone (no LF, so nothing to split at: the first part reads the whole file).
   */
  @Example
  void filesOfOtherShapesInPartsReadAsWhole() throws IOException {
    // a line starting with U+FEFF: a byte order mark only at the file's start
    String rows = "1,a\u00e9,1.00\n2,b,2.00\r\n3,\"c\",3.00\n4,d,x\n\ufeff5,e,5.00\n6,f,6.00\n";
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] text = ("id,name,amount\n" + rows).getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + text.length];
    System.arraycopy(bom, 0, withBom, 0, bom.length);
    System.arraycopy(text, 0, withBom, bom.length, text.length);
    assertReadInPartsAsWhole(withBom, CsvFormat.DEFAULT);
    assertReadInPartsAsWhole(
        rows.getBytes(StandardCharsets.UTF_8), CsvFormat.DEFAULT.withHeader(false));
    CsvFormat latin1 = new CsvFormat(',', '"', true, "", StandardCharsets.ISO_8859_1);
    assertReadInPartsAsWhole(
        ("id,name,amount\n" + rows).getBytes(StandardCharsets.ISO_8859_1), latin1);
    assertReadInPartsAsWhole(
        ("id,name,amount\r" + rows.replace("\r\n", "\n").replace('\n', '\r'))
            .getBytes(StandardCharsets.UTF_8),
        CsvFormat.DEFAULT);
  }

  /** Encodings whose CR and LF bytes are those characters only are split; others are not. */
  @Example
  void onlyEncodingsWhoseLineBreakBytesAreLineBreaksAreSplit() {
    assertThat(TextPart.splits(StandardCharsets.UTF_8)).isTrue();
    assertThat(TextPart.splits(StandardCharsets.ISO_8859_1)).isTrue();
    assertThat(TextPart.splits(java.nio.charset.Charset.forName("windows-1252"))).isTrue();
    assertThat(TextPart.splits(StandardCharsets.UTF_16)).isFalse();
    assertThat(TextPart.splits(StandardCharsets.UTF_16LE)).isFalse();
    assertThat(TextPart.splits(java.nio.charset.Charset.forName("IBM037"))).isFalse(); // EBCDIC
  }

  /**
   * {@code bytes} as shapes.csv read in parts of each size from 1 to its length give its records.
   */
  private static void assertReadInPartsAsWhole(byte[] bytes, CsvFormat format) throws IOException {
    Files.write(dir.resolve("shapes.csv"), bytes);
    CsvSource source = new CsvSource(new FileSet(dir, "shapes.csv"), SCHEMA, format);
    Read whole = read(source, FilePart.WHOLE);
    assertThat(whole.records()).hasSizeGreaterThan(3);
    // every declared column found (a byte order mark is not part of the header's first name)
    assertThat(whole.drift()).contains("added=[], removed=[]");
    for (long size = 1; size <= bytes.length; size++) {
      assertPartsReadAsWhole(source, size);
    }
  }

  /** No part but the last fails, and the parts read one after another read as the whole file. */
  private static void assertPartsReadAsWhole(FileSource source, long bytes) throws IOException {
    List<Read> parts = readInParts(source, bytes);
    assertThat(failedBeforeTheLast(parts)).as("parts of %d bytes: %s", bytes, parts).isFalse();
    assertThat(joined(parts))
        .as("parts of %d bytes", bytes)
        .isEqualTo(read(source, FilePart.WHOLE));
  }

  /**
   * A source of file {@code name} holding {@code bytes}: a file of each property's own, as a
   * property whose shrinking ran out of time may still be writing its file.
   */
  private static CsvSource csv(String name, byte[] bytes) throws IOException {
    Files.write(dir.resolve(name), bytes);
    return new CsvSource(new FileSet(dir, name), SCHEMA, CsvFormat.DEFAULT);
  }

  /**
   * The file read a part at a time, each part's reader counting the line breaks before it; checked
   * to read the same with the parts told the line breaks before them, counted a block at a time
   * ({@link FileSource#lineBreaks}) as an engine does.
   */
  private static List<Read> readInParts(FileSource source, long bytes) throws IOException {
    FileSource.InputFile file = source.inputFiles(WindowSpec.full(), Window.full(), bytes).get(0);
    List<Read> reads = new ArrayList<>();
    List<Read> counted = new ArrayList<>();
    long before = 0;
    for (FilePart part : file.parts()) {
      reads.add(read(source, part));
      if (part.whole()) {
        counted.add(read(source, part));
      } else {
        assertThat(part.uncounted()).isTrue();
        counted.add(read(source, part.counted(before)));
        before += source.lineBreaks(part);
      }
    }
    assertThat(counted).isEqualTo(reads);
    return reads;
  }

  private static boolean failedBeforeTheLast(List<Read> parts) {
    return parts.subList(0, parts.size() - 1).stream().anyMatch(r -> r.failure() != null);
  }

  /**
   * The parts' reads one after another, as the engine takes them: the records in order, the last
   * part's failure, the drift of an observation that took what each part's saw.
   */
  private static Read joined(List<Read> parts) {
    List<String> records = new ArrayList<>();
    ObservedSchema observed = ObservedSchema.of(SCHEMA, DriftPolicy.DISCARD);
    for (Read p : parts) {
      records.addAll(p.records());
      observed.take(p.seen());
    }
    return new Read(
        records, parts.get(parts.size() - 1).failure(), observed.diff().toString(), null);
  }

  private static Read read(FileSource source, FilePart part) throws IOException {
    String name = source.inputFiles().get(0);
    FileSource.InputFile file = new FileSource.InputFile(name, List.of(part), true);
    ObservedSchema observed = ObservedSchema.of(SCHEMA, DriftPolicy.DISCARD);
    List<String> records = new ArrayList<>();
    String failure = null;
    try (RecordReader r = source.read(WindowSpec.full(), Window.full(), observed, file, part)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        records.add(text(rec));
      }
    } catch (DataException e) {
      failure = e.getMessage();
    }
    return new Read(records, failure, observed.diff().toString(), observed.seen());
  }

  private static String text(SourceRecord r) {
    String values = r.values() == null ? "" : " " + Arrays.toString(r.values());
    return r.isBad()
        ? r.position() + " bad " + r.problem() + " raw " + r.raw() + values + " " + r.badValues()
        : r.position() + values;
  }
}
