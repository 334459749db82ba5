package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * {@link CsvLexer} reads every text as Commons CSV's parser alone reads it under {@link
 * CsvSource}'s format: the same records with the same fields (nulls included), the same line counts
 * after each, and the same syntax error at the same record; for texts of delimiters, quotes, line
 * breaks (CR, LF, CRLF), null markers, blanks and other characters, under several formats, through
 * buffers from one character up so that lines, CRLF pairs and the hand-over to the parser straddle
 * refills.
 */
class CsvLexerProperties {
  private static final List<CsvFormat> FORMATS =
      List.of(
          CsvFormat.DEFAULT,
          new CsvFormat(';', '\'', true, null, StandardCharsets.UTF_8),
          new CsvFormat('\t', '"', false, "NULL", StandardCharsets.UTF_8),
          new CsvFormat(',', '"', true, "", StandardCharsets.UTF_8),
          new CsvFormat(' ', '\\', true, "x", StandardCharsets.UTF_8),
          new CsvFormat('\u00a0', '"', true, "", StandardCharsets.UTF_8));

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> piece =
        Arbitraries.of(
            "a",
            "bc",
            "7",
            "-1.5",
            ",",
            ";",
            "\t",
            "\"",
            "'",
            "\"\"",
            "\n",
            "\r",
            "\r\n",
            " ",
            "NULL",
            "é",
            "\"x,y\"",
            "''",
            "2024-01-02T03:04:05",
            "x",
            "\\",
            "\u00a0",
            "\u2028",
            "\u0085",
            "\u0000",
            "\uFEFF",
            "\uD83D\uDE00",
            "x".repeat(20),
            " \"",
            "\"a\" ");
    return piece.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Property(tries = 400)
  void readsAsTheParserReads(
      @ForAll("texts") String text,
      @ForAll @IntRange(min = 0, max = 5) int formatIndex,
      @ForAll @IntRange(min = 1, max = 9) int bufferSize,
      @ForAll @IntRange(min = 1, max = 8) int chunk) {
    CsvFormat format = FORMATS.get(formatIndex);
    assertThat(lexed(text, format, bufferSize, chunk)).isEqualTo(parsed(text, format));
  }

  @Property(tries = 100)
  void aTextWithoutTheQuoteIsSplitHereToTheEnd(
      @ForAll("texts") String text,
      @ForAll @IntRange(min = 0, max = 5) int formatIndex,
      @ForAll @IntRange(min = 1, max = 9) int bufferSize) {
    CsvFormat format = FORMATS.get(formatIndex);
    String plain = text.replace(String.valueOf(format.quote()), "");
    try (CsvLexer lexer =
        new CsvLexer(new StringReader(plain), CsvSource.parserFormat(format), bufferSize)) {
      while (lexer.next() != null) {
        assertThat(lexer.handedOver()).isFalse();
      }
      assertThat(lexer.handedOver()).isFalse();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Example
  void aQuoteLateInALongFileHandsTheRestToTheParser() {
    StringBuilder text = new StringBuilder("id,note\n");
    for (int i = 0; i < 5000; i++) {
      text.append(i).append(",plain ").append(i).append(i % 2 == 0 ? "\n" : "\r\n");
    }
    text.append("5000,\"quoted, with a comma\nand a line break\"\n5001,\n5002,\"never closed\n");
    List<String> lexed = lexed(text.toString(), CsvFormat.DEFAULT, 64 * 1024, 4096);
    assertThat(lexed).isEqualTo(parsed(text.toString(), CsvFormat.DEFAULT));
    assertThat(lexed.get(5001)).isEqualTo("[5000, quoted, with a comma\nand a line break] @5003");
    assertThat(lexed.get(5002)).isEqualTo("[5001, null] @5004");
    assertThat(lexed.get(lexed.size() - 1)).startsWith("error ");
  }

  /** Each record as its fields and the lines read after it; a syntax error as its message. */
  private static List<String> lexed(String text, CsvFormat format, int bufferSize, int chunk) {
    List<String> out = new ArrayList<>();
    try (CsvLexer lexer =
        new CsvLexer(new Chunks(text, chunk), CsvSource.parserFormat(format), bufferSize)) {
      while (true) {
        String[] r = lexer.next();
        if (r == null) {
          return out;
        }
        out.add(Arrays.toString(r) + " @" + lexer.lines());
      }
    } catch (UncheckedIOException | IllegalStateException e) {
      out.add("error " + message(e));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> parsed(String text, CsvFormat format) {
    List<String> out = new ArrayList<>();
    CSVFormat csv = CsvSource.parserFormat(format);
    try (CSVParser parser =
        CSVParser.builder().setReader(new StringReader(text)).setFormat(csv).get()) {
      Iterator<CSVRecord> records = parser.iterator();
      while (records.hasNext()) {
        CSVRecord r = records.next();
        out.add(Arrays.toString(r.values()) + " @" + parser.getCurrentLineNumber());
      }
      return out;
    } catch (UncheckedIOException | IllegalStateException e) {
      out.add("error " + message(e));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The error's message without the parser's own line and character positions, which count from
   * where the parser started reading (the lexer hands over mid-text). {@link CsvSource} never shows
   * them: it drops {@link CsvSource#PARSER_POSITION} and words the two errors that carry a bare
   * position itself.
   */
  private static String message(RuntimeException e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    return t.getClass().getSimpleName()
        + ": "
        + CsvSource.PARSER_POSITION
            .matcher(String.valueOf(t.getMessage()))
            .replaceAll("")
            .replaceAll("\\s*position: \\d+", "");
  }

  /** A reader that returns at most {@code chunk} characters a call, as StrictReader may. */
  private static final class Chunks extends Reader {
    private final String text;
    private final int chunk;
    private int at;

    Chunks(String text, int chunk) {
      this.text = text;
      this.chunk = chunk;
    }

    @Override
    public int read(char[] cbuf, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (at == text.length()) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), text.length() - at);
      text.getChars(at, at + n, cbuf, off);
      at += n;
      return n;
    }

    @Override
    public void close() {}
  }
}
