package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated CSV and JSON-lines files mixing valid rows with garbage (random bytes, quotes,
 * delimiters, line breaks, NULs, invalid UTF-8, wrong field counts), read through the real sources.
 * Reading never throws anything but a {@link DataException} naming {@code file:line}; every record
 * is a good one or a bad one with its position, raw input and problem; every valid row comes back
 * with its values at its line whenever the garbage around it cannot reach it.
 */
class MalformedInputProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)));
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern POSITION = Pattern.compile("in\\.(csv|jsonl):\\d+");
  private static Path dir;

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-malformed");
  }

  @AfterContainer
  static void deleteDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A valid row: what is written and what must come back. */
  record Row(long id, String name, BigDecimal amount) {
    List<Object> values() {
      return Arrays.asList(id, name, amount);
    }
  }

  /** One piece of a generated file: a valid row, or garbage bytes. */
  @SuppressWarnings(
      "ArrayRecordComponent") // never compared or hashed: a piece is only written to the generated
  // file
  record Piece(Row row, byte[] garbage) {
    @Override
    public String toString() {
      return row != null
          ? row.toString()
          : "garbage " + HexFormat.ofDelimiter(" ").formatHex(garbage);
    }
  }

  @Provide
  Arbitrary<Row> rows() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('\u0000', '\uD7FF')
            .withChars('"', ',', '\n', '\r', '\0', '\'', ';', '\\', '\uFEFF', '\uFFFD', '\uE000')
            .ofMaxLength(12);
    Arbitrary<BigDecimal> amounts =
        Arbitraries.longs()
            .between(-999_999_999_99L, 999_999_999_99L)
            .map(c -> BigDecimal.valueOf(c, 2));
    return Combinators.combine(Arbitraries.longs(), names, amounts).as(Row::new);
  }

  /** Random bytes biased towards what breaks parsers; {@code quotes} false leaves out the quote. */
  private static Arbitrary<byte[]> garbage(boolean quotes, boolean lineBreaks) {
    List<Byte> special =
        new ArrayList<>(
            List.of(
                (byte) ',',
                (byte) 0,
                (byte) 0xFF,
                (byte) 0xC3,
                (byte) 0xE2,
                (byte) 0x82,
                (byte) '{',
                (byte) '}',
                (byte) ':',
                (byte) '1',
                (byte) 'a',
                (byte) '.',
                (byte) ' ',
                (byte) '\\'));
    if (quotes) {
      special.add((byte) '"');
    }
    if (lineBreaks) {
      special.add((byte) '\n');
      special.add((byte) '\r');
    }
    Arbitrary<Byte> any =
        Arbitraries.bytes()
            .filter(b -> (quotes || b != '"') && (lineBreaks || (b != '\n' && b != '\r')));
    Arbitrary<Byte> one =
        Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(special)), Tuple.of(1, any));
    return one.list()
        .ofMinSize(1)
        .ofMaxSize(30)
        .map(
            bytes -> {
              byte[] b = new byte[bytes.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = bytes.get(i);
              }
              return b;
            });
  }

  private Arbitrary<List<Piece>> pieces(boolean quotes, boolean lineBreaks) {
    Arbitrary<Piece> piece =
        Arbitraries.frequencyOf(
            Tuple.of(3, rows().map(r -> new Piece(r, null))),
            Tuple.of(1, garbage(quotes, lineBreaks).map(g -> new Piece(null, g))));
    return piece.list().ofMaxSize(25);
  }

  @Provide
  Arbitrary<List<Piece>> lineLocalCsv() {
    return pieces(false, true);
  }

  @Provide
  Arbitrary<List<Piece>> anyCsv() {
    return pieces(true, true);
  }

  @Provide
  Arbitrary<List<Piece>> jsonLines() {
    return pieces(true, false);
  }

  /**
   * Garbage without a quote cannot reach past its own lines: every valid row comes back at its
   * line.
   */
  @Property(tries = 200)
  void csvValidRowsComeBackWhateverTheGarbageBetweenThem(@ForAll("lineLocalCsv") List<Piece> pieces)
      throws IOException {
    Map<String, Row> expected = new HashMap<>();
    write("in.csv", csv(pieces, expected));
    List<SourceRecord> records =
        read(new CsvSource(new FileSet(dir, "in.csv"), SCHEMA, CsvFormat.DEFAULT));
    assertWellFormed(records);
    assertRowsCameBack(records, expected);
  }

  /**
   * With quotes anywhere, a file may become unreadable from some point on, but only as a
   * DataException naming its line.
   */
  @Property(tries = 200)
  void csvReadingFailsOnlyWithADataErrorNamingTheLine(@ForAll("anyCsv") List<Piece> pieces)
      throws IOException {
    Map<String, Row> expected = new HashMap<>();
    write("in.csv", csv(pieces, expected));
    List<SourceRecord> records = new ArrayList<>();
    try (RecordReader r =
        new CsvSource(new FileSet(dir, "in.csv"), SCHEMA, CsvFormat.DEFAULT)
            .read(WindowSpec.full(), Window.full())) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        records.add(rec);
      }
    } catch (DataException e) {
      // one line number, the record's: not the parser's own line and character counts beside it
      assertThat(e.getMessage())
          .matches("in\\.csv:\\d+: [^\\n]+")
          .doesNotContain("at line:", "position:", "encapsulated token");
    }
    assertWellFormed(records);
    assertThat(records)
        .filteredOn(SourceRecord::isBad)
        .allSatisfy(r -> assertThat(r.problem()).doesNotContain("at line:", "position:"));
    // rows before the first garbage cannot be disturbed by it
    long line = 2;
    Map<String, Row> beforeGarbage = new HashMap<>();
    for (Piece p : pieces) {
      if (p.row() == null) {
        break;
      }
      beforeGarbage.put("in.csv:" + line, p.row());
      line += lineBreaks(csvLine(p.row(), r -> r.amount().toPlainString()));
    }
    assertRowsCameBack(records, beforeGarbage);
  }

  /**
   * Every JSON line is a record of its own: reading never throws, and each non-blank line is one
   * record.
   */
  @Property(tries = 200)
  void jsonLinesNeverThrowAndEveryLineIsOneRecord(@ForAll("jsonLines") List<Piece> pieces)
      throws IOException {
    Map<String, Row> expected = new HashMap<>();
    byte[] bytes = jsonl(pieces, expected);
    write("in.jsonl", bytes);
    List<SourceRecord> records =
        read(new JsonLinesSource(new FileSet(dir, "in.jsonl"), SCHEMA, StandardCharsets.UTF_8));
    assertWellFormed(records);
    assertRowsCameBack(records, expected);
    long nonBlank =
        Arrays.stream(new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1))
            .filter(
                l ->
                    !new String(l.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                        .isBlank())
            .count();
    assertThat(records).hasSize((int) nonBlank);
  }

  private static List<SourceRecord> read(FileSource source) throws IOException {
    List<SourceRecord> records = new ArrayList<>();
    try (RecordReader r = source.read(WindowSpec.full(), Window.full())) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        records.add(rec);
      }
    }
    return records;
  }

  /**
   * Good records have typed values; bad ones a position, raw input and a problem (and values only
   * beside the bad values they name); positions are distinct.
   */
  private static void assertWellFormed(List<SourceRecord> records) {
    Set<String> positions = new HashSet<>();
    for (SourceRecord r : records) {
      assertThat(r.position()).matches(POSITION);
      assertThat(positions.add(r.position()))
          .as("one record per position: %s", r.position())
          .isTrue();
      if (r.isBad()) {
        // an unreadable record has no values; one with untypeable values has the others
        assertThat(r.values() == null || !r.badValues().isEmpty()).as(r.position()).isTrue();
        assertThat(r.raw()).isNotNull();
        assertThat(r.problem()).isNotBlank().doesNotContain("\n");
      } else {
        assertThat(r.values()).hasSize(3);
        assertThat(r.values()[0] == null || r.values()[0] instanceof Long)
            .as("%s", r.values()[0])
            .isTrue();
      }
    }
  }

  private static void assertRowsCameBack(List<SourceRecord> records, Map<String, Row> expected) {
    Map<String, SourceRecord> byPosition = new HashMap<>();
    for (SourceRecord r : records) {
      byPosition.put(r.position(), r);
    }
    for (Map.Entry<String, Row> e : expected.entrySet()) {
      SourceRecord r = byPosition.get(e.getKey());
      assertThat(r).as("a record at %s", e.getKey()).isNotNull();
      assertThat(r.isBad()).as("%s: %s", e.getKey(), r.problem()).isFalse();
      assertThat(Arrays.asList(r.values())).as(e.getKey()).isEqualTo(e.getValue().values());
    }
  }

  /** The CSV bytes; {@code expected} receives each valid row by its position. */
  static byte[] csv(List<Piece> pieces, Map<String, Row> expected) {
    return csv(pieces, expected, "amount", r -> r.amount().toPlainString());
  }

  /**
   * The CSV bytes with {@code third}'s text of each valid row in the third column, {@code
   * thirdName}, instead of its amount; {@code expected} receives each valid row by its position.
   */
  static byte[] csv(
      List<Piece> pieces,
      Map<String, Row> expected,
      String thirdName,
      Function<Row, String> third) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("id,name," + thirdName + "\n").getBytes(StandardCharsets.UTF_8));
    long line = 2;
    for (Piece p : pieces) {
      if (p.row() != null) {
        String text = csvLine(p.row(), third);
        expected.put("in.csv:" + line, p.row());
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        line += lineBreaks(text);
      } else {
        byte[] g = Arrays.copyOf(p.garbage(), p.garbage().length + 1);
        g[g.length - 1] = '\n';
        out.writeBytes(g);
        line += lineBreaks(new String(g, StandardCharsets.ISO_8859_1));
      }
    }
    return out.toByteArray();
  }

  private static String csvLine(Row r, Function<Row, String> third) {
    return r.id() + ",\"" + r.name().replace("\"", "\"\"") + "\"," + third.apply(r) + "\n";
  }

  static byte[] jsonl(List<Piece> pieces, Map<String, Row> expected) {
    return jsonl(pieces, expected, "amount", r -> r.amount().toString());
  }

  /**
   * The JSON lines with field {@code thirdName} of each valid row holding {@code third}'s JSON text
   * instead of its amount; {@code expected} receives each valid row by its position.
   */
  static byte[] jsonl(
      List<Piece> pieces,
      Map<String, Row> expected,
      String thirdName,
      Function<Row, String> third) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long line = 1;
    for (Piece p : pieces) {
      if (p.row() != null) {
        expected.put("in.jsonl:" + line, p.row());
        out.writeBytes(jsonLine(p.row(), thirdName, third).getBytes(StandardCharsets.UTF_8));
      } else {
        out.writeBytes(p.garbage());
        out.write('\n');
      }
      line++;
    }
    return out.toByteArray();
  }

  private static String jsonLine(Row r, String thirdName, Function<Row, String> third) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeNumberField("id", r.id());
      g.writeStringField("name", r.name());
      g.writeFieldName(thirdName);
      g.writeRawValue(third.apply(r));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w + "\n";
  }

  /** Line breaks as the readers count them: CR LF, CR and LF each end one line. */
  private static long lineBreaks(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || (c == '\n' && (i == 0 || text.charAt(i - 1) != '\r'))) {
        n++;
      }
    }
    return n;
  }

  private static void write(String name, byte[] bytes) throws IOException {
    Files.write(dir.resolve(name), bytes);
  }
}
