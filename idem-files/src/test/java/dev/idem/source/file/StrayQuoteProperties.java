package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * A closing quote followed by other characters in the middle of a CSV file ({@code 1,"abc"x,3}):
 * one bad record at the line its record starts on, with a one-line message in idem's words that
 * says what is wrong and what to do, then the file stops (the parser cannot move past it). It used
 * to carry Commons CSV's own words with a second line number and a character position.
 */
class StrayQuoteProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("note", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)));
  private Path dir;

  @BeforeTry
  void createDir() throws IOException {
    dir = Files.createTempDirectory("idem-stray-quote");
  }

  @AfterTry
  void deleteDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  static String message(long line) {
    return "in.csv:"
        + line
        + ": malformed CSV: characters after a closing quote: a field that starts with a quote must end at its"
        + " closing quote, so nothing after line "
        + line
        + " can be read (if a quote is part of the value, quote the whole field"
        + " and double the quote inside it)";
  }

  @Example
  void aQuoteOpenedOnOneLineAndClosedOnALaterOneIsReportedAtTheRecordsLine() throws IOException {
    // the stray quote on line 3 opens a field that the quote on line 5 closes, followed by "s"
    Files.writeString(
        dir.resolve("in.csv"),
        "id,note,amount\n1,ada,1.00\n2,\"bob,2.00\n3,cyd,3.00\n4,\"dee\"s,4.00\n5,eve,5.00\n");
    try (RecordReader r = open()) {
      assertThat(r.next().position()).isEqualTo("in.csv:2");
      SourceRecord bad = r.next();
      assertThat(bad.isBad()).isTrue();
      assertThat(bad.position() + ": " + bad.problem()).isEqualTo(message(3));
      assertThat(bad.raw()).isEqualTo("2,\"bob,2.00\n3,cyd,3.00\n4,\"dee\"s,4.00\n5,eve,5.00\n");
      assertThatThrownBy(r::next).isInstanceOf(DataException.class).hasMessage(message(3));
    }
  }

  @Example
  void aQuoteInsideAnUnquotedFieldIsPartOfTheValue() throws IOException {
    // Commons CSV (and idem) read a quote that does not start a field as a character of it
    Files.writeString(dir.resolve("in.csv"), "id,note,amount\n1,ab\"c,1.00\n2,d,2.00\n");
    try (RecordReader r = open()) {
      assertThat(r.next().values()).containsExactly(1L, "ab\"c", new BigDecimal("1.00"));
      assertThat(r.next().values()[0]).isEqualTo(2L);
      assertThat(r.next()).isNull();
    }
  }

  /**
   * Whatever comes before (rows, quoted fields over several lines, CR LF or LF) and whichever
   * character follows the closing quote, the bad record is at its own line and the message is the
   * same one line.
   */
  @Property(tries = 200)
  void charactersAfterAClosingQuoteAreOneBadRecordAtItsLine(
      @ForAll("rows") List<String> before,
      @ForAll("rows") List<String> after,
      @ForAll("afterQuote") char stray,
      @ForAll boolean crlf,
      @ForAll @IntRange(min = 0, max = 2) int field)
      throws IOException {
    String eol = crlf ? "\r\n" : "\n";
    StringBuilder text = new StringBuilder("id,note,amount").append(eol);
    long line = 2;
    for (String row : before) {
      text.append(row.replace("\n", eol)).append(eol);
    }
    String[] fields = {"9", "x", "9.00"};
    fields[field] = "\"" + fields[field] + "\"" + stray;
    String broken = String.join(",", fields);
    text.append(broken).append(eol);
    for (String row : after) {
      text.append(row.replace("\n", eol)).append(eol);
    }
    Files.writeString(dir.resolve("in.csv"), text, StandardCharsets.UTF_8);

    try (RecordReader r = open()) {
      for (String row : before) {
        SourceRecord good = r.next();
        assertThat(good.isBad()).as(good.problem()).isFalse();
        assertThat(good.position()).isEqualTo("in.csv:" + line);
        line += row.chars().filter(c -> c == '\n').count() + 1;
      }
      SourceRecord bad = r.next();
      assertThat(bad.isBad()).isTrue();
      assertThat(bad.position() + ": " + bad.problem())
          .isEqualTo(message(line))
          .doesNotContain("\n", "\r");
      assertThat(bad.raw()).startsWith(broken + eol);
      assertThatThrownBy(r::next).isInstanceOf(DataException.class).hasMessage(message(line));
    }
  }

  @Provide
  Arbitrary<List<String>> rows() {
    Arbitrary<String> plain =
        Arbitraries.integers().between(1, 99).map(i -> i + ",n" + i + "," + i + ".00");
    Arbitrary<String> quoted =
        Arbitraries.integers().between(1, 99).map(i -> i + ",\"a \"\"q\"\", b\nc\"," + i + ".00");
    return Arbitraries.oneOf(plain, quoted).list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<Character> afterQuote() {
    // whitespace after a closing quote is dropped by the parser, a quote doubles it, a delimiter or
    // line break ends the field
    return Arbitraries.chars()
        .range('!', '~')
        .with('é', '\u0000', '€')
        .filter(c -> c != '"' && c != ',');
  }

  private RecordReader open() throws IOException {
    return new CsvSource(new FileSet(dir, "in.csv"), SCHEMA, CsvFormat.DEFAULT)
        .read(WindowSpec.full(), Window.full());
  }
}
