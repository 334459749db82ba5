package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * A CSV file reads through {@link CsvSource} exactly as it did when Commons CSV's parser read every
 * line ({@link CsvSource#parserOnly}): for random files of plain and quoted fields, blank lines,
 * wrong field counts, CR, LF and CRLF, a byte order mark, bytes that are not valid in the encoding,
 * a quote never closed or text after a closing one, every call a reader of the file makes gives the
 * same answer: each record's position, raw text, field texts and typed values or their errors, each
 * bad record's message, the end; with and without an observed schema, in UTF-8 and ISO-8859-1.
 */
class CsvReadingParityProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("note", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)));

  /** A field's bytes: plain, quoted, broken, or holding bytes the encoding may not decode. */
  private static Arbitrary<byte[]> field() {
    Arbitrary<String> text =
        Arbitraries.of(
            "1",
            "42",
            "x",
            "2.50",
            "",
            " ",
            "NULL",
            "é",
            "\"a,b\"",
            "\"q\"\"x\"",
            "\"\"",
            "\"two\nlines\"",
            "\"unclosed",
            "\"x\"y",
            "a\"b",
            "-7",
            "1e3",
            "\t");
    Arbitrary<byte[]> odd =
        Arbitraries.of(
            new byte[] {(byte) 0xff},
            new byte[] {'a', (byte) 0xc3},
            new byte[] {(byte) 0xe2, 0x28});
    return Arbitraries.frequencyOf(
        Tuple.of(9, text.map(t -> t.getBytes(StandardCharsets.UTF_8))), Tuple.of(1, odd));
  }

  private static Arbitrary<byte[]> line() {
    Arbitrary<List<byte[]>> fields = field().list().ofMinSize(0).ofMaxSize(4);
    Arbitrary<String> end = Arbitraries.of("\n", "\n", "\r\n", "\r", "");
    return Combinators.combine(fields, end)
        .as(
            (fs, e) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              for (int i = 0; i < fs.size(); i++) {
                if (i > 0) {
                  out.write(',');
                }
                out.writeBytes(fs.get(i));
              }
              out.writeBytes(e.getBytes(StandardCharsets.UTF_8));
              return out.toByteArray();
            });
  }

  @Provide
  Arbitrary<byte[]> files() {
    Arbitrary<String> header =
        Arbitraries.of("id,note,amount\n", "\uFEFFid,note,amount\r\n", "amount,id,note,extra\n");
    return Combinators.combine(header, line().list().ofMaxSize(12))
        .as(
            (h, lines) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              out.writeBytes(h.getBytes(StandardCharsets.UTF_8));
              lines.forEach(out::writeBytes);
              return out.toByteArray();
            });
  }

  @Property(tries = 300)
  void everyReadGivesWhatTheParserAloneGave(
      @ForAll("files") byte[] bytes, @ForAll boolean observe, @ForAll boolean latin1)
      throws IOException {
    Path f = Files.createTempFile("idem-csv-parity", ".csv");
    try {
      Files.write(f, bytes);
      CsvFormat format =
          new CsvFormat(
              ',', '"', true, "", latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      FileSet set = new FileSet(f.getParent(), f.getFileName().toString());
      List<String> lexed = transcript(new CsvSource(set, SCHEMA, format), f, observe);
      List<String> parsed = transcript(CsvSource.parserOnly(set, SCHEMA, format), f, observe);
      assertThat(lexed).isEqualTo(parsed);
    } finally {
      Files.delete(f);
    }
  }

  /** Everything a reader of the file learns from it, call by call. */
  private static List<String> transcript(CsvSource source, Path f, boolean observe) {
    List<String> out = new ArrayList<>();
    ObservedSchema observed = observe ? ObservedSchema.of(SCHEMA, DriftPolicy.DISCARD) : null;
    try (Rows rows = source.open(f, f.getFileName().toString(), observed)) {
      String lastProblem = null;
      for (int i = 0; i < 1000; i++) {
        try {
          if (!rows.next()) {
            out.add("end");
            break;
          }
          StringBuilder r = new StringBuilder(rows.position()).append(" | ").append(rows.raw());
          for (int c = 0; c < SCHEMA.size(); c++) {
            r.append(" | ").append(rows.text(c));
            try {
              r.append(" = ").append(rows.value(c));
            } catch (DataException e) {
              r.append(" ! ").append(e.getMessage());
            }
          }
          out.add(r.toString());
        } catch (DataException e) {
          out.add("bad " + e.getMessage() + " | " + rows.raw());
          if (rows.position().equals(lastProblem)) {
            break; // the reader cannot move past it: every later read repeats it
          }
          lastProblem = rows.position();
        }
      }
    } catch (DataException | IOException | UncheckedIOException e) {
      out.add("failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return out;
  }
}
