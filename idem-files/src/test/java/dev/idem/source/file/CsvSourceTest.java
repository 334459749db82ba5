package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.key.KeyEncoding;
import dev.idem.ledger.DeadLetter;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("note", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("at", DataType.TIMESTAMPTZ));

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private CsvSource csv(String pattern) {
    return new CsvSource(new FileSet(dir, pattern), ORDERS, CsvFormat.DEFAULT);
  }

  static List<SourceRecord> readAll(Source source, WindowSpec spec, Window window)
      throws IOException {
    List<SourceRecord> all = new ArrayList<>();
    try (RecordReader r = source.read(spec, window)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        all.add(rec);
      }
    }
    return all;
  }

  static List<SourceRecord> readAll(Source source) throws IOException {
    return readAll(source, WindowSpec.full(), Window.full());
  }

  @Test
  void quotingDoubledQuotesAndEmbeddedNewlines() throws IOException {
    write(
        "orders.csv",
        "id,note,amount,at\r\n"
            + "1,\"a, \"\"quoted\"\" note\",12.50,2024-03-15T07:00:00Z\r\n"
            + "2,\"two\nlines\",3,2024-03-15T08:00:00Z\n"
            + "3,plain,-0.5,2024-03-15T09:00:00+01:00\n");
    List<SourceRecord> rows = readAll(csv("orders.csv"));
    assertThat(rows)
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            List.of(
                1L,
                "a, \"quoted\" note",
                new BigDecimal("12.50"),
                Instant.parse("2024-03-15T07:00:00Z")),
            List.of(
                2L, "two\nlines", new BigDecimal("3.00"), Instant.parse("2024-03-15T08:00:00Z")),
            List.of(3L, "plain", new BigDecimal("-0.50"), Instant.parse("2024-03-15T08:00:00Z")));
    // positions are the line each record starts on
    assertThat(rows)
        .extracting(SourceRecord::position)
        .containsExactly("orders.csv:2", "orders.csv:3", "orders.csv:5");
  }

  @Test
  void nullMarkerVersusQuotedEmptyString() throws IOException {
    write(
        "orders.csv",
        "id,note,amount,at\n1,,,2024-03-15T07:00:00Z\n2,\"\",1,2024-03-15T07:00:00Z\n");
    List<SourceRecord> rows = readAll(csv("orders.csv"));
    assertThat(rows.get(0).values())
        .containsExactly(1L, null, null, Instant.parse("2024-03-15T07:00:00Z"));
    assertThat(rows.get(1).values()[1]).isEqualTo("");
  }

  @Test
  void aCustomNullMarkerDelimiterAndNoHeader() throws IOException {
    write(
        "orders.tsv",
        "1;NULL;2.5;2024-03-15T07:00:00Z\n2;\"NULL\";NULL;2024-03-15T07:00:00Z\n3;;1;2024-03-15T07:00:00Z\n");
    CsvSource source =
        new CsvSource(
            new FileSet(dir, "orders.tsv"),
            ORDERS,
            new CsvFormat(';', '"', false, "NULL", StandardCharsets.UTF_8));
    List<SourceRecord> rows = readAll(source);
    assertThat(rows.get(0).values()[1]).isNull();
    assertThat(rows.get(1).values()[1]).isEqualTo("NULL");
    assertThat(rows.get(1).values()[2]).isNull();
    assertThat(rows.get(2).values()[1]).isEqualTo("");
    assertThat(source.describe())
        .isEqualTo(
            "csv orders.tsv delimiter=';' quote='\"' header=false null='NULL' encoding=UTF-8");
  }

  @Test
  void headerMapsColumnsByNameAndIgnoresUndeclaredOnes() throws IOException {
    write("orders.csv", "\uFEFFextra,at,amount,id,note\nx,2024-03-15T07:00:00Z,1.25,7,hello\n");
    List<SourceRecord> rows = readAll(csv("orders.csv"));
    assertThat(rows.get(0).values())
        .containsExactly(
            7L, "hello", new BigDecimal("1.25"), Instant.parse("2024-03-15T07:00:00Z"));
  }

  @Test
  void aDeclaredColumnMissingFromTheHeaderIsNamed() throws IOException {
    write("orders.csv", "id,note,at\n1,a,2024-03-15T07:00:00Z\n");
    assertThatThrownBy(() -> readAll(csv("orders.csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("orders.csv:1: the header has no column 'amount'");
  }

  @Test
  void anEmptyFileHasNoHeader() throws IOException {
    write("orders.csv", "");
    assertThatThrownBy(() -> readAll(csv("orders.csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("orders.csv:1: the file is empty: expected a header row");
  }

  @Test
  void wrongColumnCountNamesFileAndLine() throws IOException {
    StringBuilder text = new StringBuilder("id,note,amount,at\n");
    for (int i = 2; i < 17; i++) {
      text.append(i).append(",n,1,2024-03-15T07:00:00Z\n");
    }
    text.append("17,n,1\n18,n,1,2024-03-15T07:00:00Z\n");
    write("orders.csv", text.toString());
    try (RecordReader r = csv("orders.csv").read(WindowSpec.full(), Window.full())) {
      for (int i = 2; i < 17; i++) {
        assertThat(r.next()).isNotNull();
      }
      SourceRecord bad = r.next();
      assertThat(bad.isBad()).isTrue();
      assertThat(bad.position()).isEqualTo("orders.csv:17");
      assertThat(bad.problem()).isEqualTo("expected 4 columns, found 3");
      assertThat(bad.raw()).isEqualTo("17,n,1");
      // the bad record is consumed: reading goes on
      assertThat(r.next().position()).isEqualTo("orders.csv:18");
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void valueErrorsArePrefixedWithThePosition() throws IOException {
    write("orders-2024-03-01.csv", "id,note,amount,at\n1,a,abc,2024-03-15T07:00:00Z\n");
    List<SourceRecord> all = readAll(csv("orders-*.csv"));
    assertThat(all)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.isBad()).isTrue();
              assertThat(r.position() + ": " + r.problem())
                  .isEqualTo(
                      "orders-2024-03-01.csv:2: column amount: 'abc' is not a decimal(12,2)");
              assertThat(r.raw()).isEqualTo("1,a,abc,2024-03-15T07:00:00Z");
            });
  }

  @Test
  void malformedQuotingIsADataError() throws IOException {
    write("orders.csv", "id,note,amount,at\n1,\"open,1,2024-03-15T07:00:00Z\n");
    assertThatThrownBy(() -> readAll(csv("orders.csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("orders.csv:2: malformed CSV");
  }

  @Test
  void anUnterminatedQuoteIsOneBadRecordAtItsOwnLineThenStopsTheFile() throws IOException {
    write(
        "orders.csv",
        "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n2,\"open,1,2024-03-15T07:00:00Z\n3,b,1,2024-03-15T07:00:00Z\n");
    try (RecordReader r = csv("orders.csv").read(WindowSpec.full(), Window.full())) {
      assertThat(r.next().position()).isEqualTo("orders.csv:2");
      SourceRecord bad = r.next();
      // the syntax error is met while looking for the record after line 2: it is line 3's
      assertThat(bad.position() + ": " + bad.problem()).startsWith("orders.csv:3: malformed CSV");
      assertThatThrownBy(r::next)
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("orders.csv:3: malformed CSV");
    }
  }

  /**
   * An unterminated quote under day windows: listing the windows ends (it used to spin on the
   * error), the file's first window holds the broken record as one bad record with the text the
   * quote swallowed, and every window reading the file stops there: its rest is unreadable and may
   * hold records of any of them.
   */
  /**
   * An engine's task reads one input file of a window with what the driver found of it ({@link
   * FileSource.InputFile}): the window's records, and its file's records without a window when, and
   * only when, the driver says this window keeps them, without scanning the file for its windows
   * itself (it would find the other answer here).
   */
  @Test
  void aReadOfOneInputFileTakesTheDriversWordForWhoKeepsRecordsWithoutAWindow() throws IOException {
    write(
        "d.csv",
        "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n2,b,1,not a time\n"
            + "3,c,1,2024-03-16T07:00:00Z\n");
    CsvSource source = csv("d.csv");
    WindowSpec spec = WindowSpec.day("at", ZoneId.of("UTC"));
    List<Window> windows = source.windows(spec);
    List<FileSource.InputFile> first = source.inputFiles(spec, windows.get(0), Long.MAX_VALUE);
    assertThat(first)
        .containsExactly(new FileSource.InputFile("d.csv", List.of(FilePart.WHOLE), true));
    assertThat(source.inputFiles(spec, windows.get(1), Long.MAX_VALUE))
        .extracting(FileSource.InputFile::keepsUnassigned)
        .containsExactly(false);
    for (boolean keeps : List.of(true, false)) {
      FileSource.InputFile told = new FileSource.InputFile("d.csv", List.of(FilePart.WHOLE), keeps);
      List<String> read = new ArrayList<>();
      try (RecordReader r =
          source.read(
              spec,
              windows.get(1),
              ObservedSchema.of(ORDERS, DriftPolicy.DISCARD),
              told,
              FilePart.WHOLE)) {
        for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
          read.add(rec.position() + (rec.isBad() ? " bad" : ""));
        }
      }
      assertThat(read)
          .as("keeps " + keeps)
          .isEqualTo(keeps ? List.of("d.csv:3 bad", "d.csv:4") : List.of("d.csv:4"));
    }
    write("e.csv", "id,note,amount,at\n");
    assertThatThrownBy(
            () ->
                csv("*.csv")
                    .read(
                        spec,
                        windows.get(0),
                        ObservedSchema.of(ORDERS, DriftPolicy.DISCARD),
                        first.get(0),
                        FilePart.WHOLE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is read by a source of that one file");
  }

  @Test
  void anUnterminatedQuoteStopsEveryDayWindowOfItsFileAndIsOneBadRecord() throws IOException {
    write(
        "d.csv",
        "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n2,b,1,2024-03-16T07:00:00Z\n"
            + "3,\"open,1,2024-03-16T08:00:00Z\n4,c,1,2024-03-15T09:00:00Z\n5,d,1,2024-03-16T09:00:00Z\n");
    CsvSource source = csv("d.csv");
    WindowSpec spec = WindowSpec.day("at", ZoneId.of("UTC"));
    List<Window> windows = source.windows(spec);
    assertThat(windows).extracting(Window::id).containsExactly("2024-03-15", "2024-03-16");
    try (RecordReader r = source.read(spec, windows.get(0))) {
      assertThat(r.next().values()[0]).isEqualTo(1L);
      SourceRecord bad = r.next();
      assertThat(bad.isBad()).isTrue();
      assertThat(bad.position() + ": " + bad.problem())
          .isEqualTo(
              "d.csv:4: malformed CSV: a quoted field opened in this record is never"
                  + " closed: the end of the file was reached inside it, so nothing after line 4 can be read (close the quote)");
      assertThat(bad.raw())
          .isEqualTo(
              "3,\"open,1,2024-03-16T08:00:00Z\n4,c,1,2024-03-15T09:00:00Z\n5,d,1,2024-03-16T09:00:00Z\n");
      assertThatThrownBy(r::next)
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("d.csv:4: malformed CSV");
    }
    try (RecordReader r = source.read(spec, windows.get(1))) {
      assertThat(r.next().values()[0]).isEqualTo(2L);
      assertThatThrownBy(r::next)
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("d.csv:4: malformed CSV")
          .hasMessageEndingWith(
              "; records of window 2024-03-16 after it cannot be read, so the window fails rather than load without them");
    }
  }

  @Test
  void theTextOfABrokenRecordFollowsTheParsersLineBreaksAndIsCappedAsALetter() throws IOException {
    String big = "x".repeat(DeadLetter.MAX_RAW_BYTES + 10);
    write("crlf.csv", "id,note,amount,at\r\n1,a,1,2024-03-15T07:00:00Z\r2,\"" + big + "\r\n");
    try (RecordReader r = csv("crlf.csv").read(WindowSpec.full(), Window.full())) {
      r.next();
      SourceRecord bad = r.next();
      assertThat(bad.position()).isEqualTo("crlf.csv:3");
      assertThat(bad.raw()).startsWith("2,\"xxx").hasSize(DeadLetter.MAX_RAW_BYTES + 1);
    }
  }

  @Test
  void latin1FilesAreDecodedAsDeclared() throws IOException {
    Path p = dir.resolve("latin.csv");
    Files.write(
        p,
        "id,note,amount,at\n1,Café Zürich,1,2024-03-15T07:00:00Z\n"
            .getBytes(StandardCharsets.ISO_8859_1));
    CsvSource source =
        new CsvSource(
            new FileSet(dir, "latin.csv"),
            ORDERS,
            new CsvFormat(',', '"', true, "", StandardCharsets.ISO_8859_1));
    assertThat(readAll(source).get(0).values()[1]).isEqualTo("Café Zürich");
    // the same bytes read as UTF-8 are a bad record naming the line, never replacement characters
    assertThat(readAll(csv("latin.csv")))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.isBad()).isTrue();
              assertThat(r.position() + ": " + r.problem())
                  .startsWith("latin.csv:2: an invalid UTF-8 byte sequence (E9)");
            });
  }

  @Test
  void invalidUtf8DeepInAFileNamesItsLine() throws IOException {
    StringBuilder text = new StringBuilder("id,note,amount,at\n");
    for (int i = 2; i < 5000; i++) {
      text.append(i).append(",\"multi\nline ü\",1,2024-03-15T07:00:00Z\n");
    }
    byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
    byte[] bad =
        "5000,bad \u00ff here,1,2024-03-15T07:00:00Z\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(good, good.length + bad.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(dir.resolve("big.csv"), all);
    long expectedLine = 1 + 2L * (5000 - 2) + 1;
    List<SourceRecord> read = readAll(csv("big.csv"));
    assertThat(read).hasSize(4999);
    assertThat(read.subList(0, 4998)).noneMatch(SourceRecord::isBad);
    assertThat(read.get(4998).position() + ": " + read.get(4998).problem())
        .startsWith("big.csv:" + expectedLine + ": an invalid UTF-8 byte sequence (FF)");
  }

  @Test
  void invalidBytesMakeTheirRecordBadAndReadingGoesOn() throws IOException {
    byte[] head =
        "id,note,amount,at\n1,\"two\nlines\",1,2024-03-15T07:00:00Z\n2,\"x\n"
            .getBytes(StandardCharsets.UTF_8);
    byte[] bad = {
      (byte) 0xC3,
      '(',
      '"',
      ',',
      '1',
      ',',
      '2',
      '0',
      '2',
      '4',
      '-',
      '0',
      '3',
      '-',
      '1',
      '5',
      'T',
      '0',
      '7',
      ':',
      '0',
      '0',
      ':',
      '0',
      '0',
      'Z',
      '\n'
    };
    byte[] tail =
        "3,ok,1,2024-03-15T07:00:00Z\n4,end \u00fc,1,2024-03-15T07:00:00Z"
            .getBytes(StandardCharsets.UTF_8);
    byte[] last = {(byte) 0xE2, (byte) 0x82};
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head);
    all.writeBytes(bad);
    all.writeBytes(tail);
    all.writeBytes(last);
    Files.write(dir.resolve("mixed.csv"), all.toByteArray());
    List<SourceRecord> rows = readAll(csv("mixed.csv"));
    assertThat(rows)
        .extracting(r -> r.position() + (r.isBad() ? ": " + r.problem() : ""))
        .containsExactly(
            "mixed.csv:2",
            // a quoted field over lines 4 and 5, the bad bytes on line 5: the record starting on
            // line 4 is bad
            "mixed.csv:4: mixed.csv:5: an invalid UTF-8 byte sequence (C3): expected UTF-8 text; declare the file's encoding if it is another one",
            "mixed.csv:6",
            // the last line, without a line break, ends in half a character
            "mixed.csv:7: an invalid UTF-8 byte sequence (E2 82): expected UTF-8 text; declare the file's encoding if it is another one");
    assertThat(rows.get(2).values()[1]).isEqualTo("ok");
    assertThat(rows.get(1).raw()).contains("x\n\uFFFD(");
  }

  @Test
  void globsAreSortedByRelativePath() throws IOException {
    write("in/b.csv", "id,note,amount,at\n2,b,1,2024-03-15T07:00:00Z\n");
    write("in/a.csv", "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n");
    write("in/sub/c.csv", "id,note,amount,at\n3,c,1,2024-03-15T07:00:00Z\n");
    write("in/a.txt", "not csv");
    assertThat(readAll(csv("in/*.csv")))
        .extracting(SourceRecord::position)
        .containsExactly("in/a.csv:2", "in/b.csv:2");
    assertThat(readAll(csv("in/**/*.csv")))
        .extracting(SourceRecord::position)
        .containsExactly("in/a.csv:2", "in/b.csv:2", "in/sub/c.csv:2");
    assertThat(readAll(csv("in/{b,sub}/*.csv")))
        .extracting(SourceRecord::position)
        .containsExactly("in/sub/c.csv:2");
    assertThat(readAll(csv("in/?.csv"))).hasSize(2);
  }

  @Test
  void missingInputIsAClearError() {
    assertThatThrownBy(() -> csv("nothing-*.csv").windows(WindowSpec.full()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("no input file matches 'nothing-*.csv'");
    assertThatThrownBy(() -> csv("missing.csv").windows(WindowSpec.full()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("input file 'missing.csv' does not exist");
  }

  @Test
  void fileWindowsAndFingerprints() throws IOException {
    Path a = write("in/a.csv", "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n");
    write("in/b.csv", "id,note,amount,at\n2,b,1,2024-03-15T07:00:00Z\n");
    CsvSource source = csv("in/*.csv");
    WindowSpec spec = WindowSpec.file();
    List<Window> windows = source.windows(spec);
    assertThat(windows).extracting(Window::id).containsExactly("in/a.csv", "in/b.csv");
    assertThat(readAll(source, spec, windows.get(1)))
        .extracting(r -> r.values()[0])
        .containsExactly(2L);
    String before = source.fingerprint(spec, windows.get(0)).orElseThrow();
    assertThat(before).isEqualTo("file:" + Files.size(a) + ":" + sha256(Files.readAllBytes(a)));
    assertThat(source.fingerprint(spec, windows.get(0))).contains(before);
    Files.writeString(a, "id,note,amount,at\n1,a,2,2024-03-15T07:00:00Z\n");
    assertThat(source.fingerprint(spec, windows.get(0)).orElseThrow()).isNotEqualTo(before);
    assertThat(source.fingerprint(WindowSpec.full(), Window.full()).orElseThrow())
        .startsWith("files:2:");
    assertThatThrownBy(() -> source.read(spec, spec.window("in/zzz.csv")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("no input file with that path");
  }

  @Test
  void dayWindowsSpreadAcrossFiles() throws IOException {
    // America/New_York: 2024-03-10T04:30Z is still 2024-03-09 there
    write(
        "d/1.csv",
        "id,note,amount,at\n1,a,1,2024-03-09T12:00:00Z\n2,b,1,2024-03-10T04:30:00Z\n3,c,1,2024-03-10T12:00:00Z\n");
    write("d/2.csv", "id,note,amount,at\n4,d,1,2024-03-09T13:00:00Z\n5,e,1,2024-03-09T14:00:00Z\n");
    write("d/3.csv", "id,note,amount,at\n6,f,oops,2024-03-10T13:00:00Z\n");
    CsvSource source = csv("d/*.csv");
    WindowSpec spec = WindowSpec.day("at", ZoneId.of("America/New_York"));
    List<Window> windows = source.windows(spec);
    assertThat(windows).extracting(Window::id).containsExactly("2024-03-09", "2024-03-10");
    assertThat(readAll(source, spec, windows.get(0)))
        .extracting(r -> r.values()[0])
        .containsExactly(1L, 2L, 4L, 5L);
    // the bad amount lives only in 2024-03-10: the other day reads cleanly, this one holds it as a
    // bad record
    assertThat(readAll(source, spec, windows.get(1)))
        .filteredOn(SourceRecord::isBad)
        .extracting(r -> r.position() + ": " + r.problem())
        .containsExactly("d/3.csv:2: column amount: 'oops' is not a decimal(12,2)");
    // a time window's cheap fingerprint covers the files holding it, and only those
    String day9 = source.fingerprint(spec, windows.get(0)).orElseThrow();
    String day10 = source.fingerprint(spec, windows.get(1)).orElseThrow();
    assertThat(day9).startsWith("files:2:");
    assertThat(day10).startsWith("files:2:");

    // only files holding the window are opened: make 3.csv unreadable as CSV but keep 2024-03-09
    // readable
    Files.writeString(
        dir.resolve("d/3.csv"),
        "id,note,amount,at\n6,f,1,2024-03-10T13:00:00Z\n7,g,1,2024-03-11T13:00:00Z\n");
    assertThat(source.windows(spec))
        .extracting(Window::id)
        .containsExactly("2024-03-09", "2024-03-10", "2024-03-11");
    assertThat(source.fingerprint(spec, windows.get(0))).contains(day9);
    assertThat(source.fingerprint(spec, windows.get(1)).orElseThrow()).isNotEqualTo(day10);
    assertThat(readAll(source, spec, spec.window("2024-03-10")))
        .extracting(r -> r.values()[0])
        .containsExactly(3L, 6L);
    assertThat(readAll(source, spec, spec.window("2024-03-12"))).isEmpty();
  }

  @Test
  void hourWindowsAndAMissingWindowValue() throws IOException {
    write(
        "h.csv",
        "id,note,amount,at\n1,a,1,2024-03-15T07:10:00Z\n2,b,1,2024-03-15T08:10:00+01:00\n3,c,1,\n");
    CsvSource source = csv("h.csv");
    WindowSpec spec = WindowSpec.hour("at", ZoneId.of("UTC"));
    // a record without a window is kept, as a bad record, by the file's first window only
    List<Window> windows = source.windows(spec);
    assertThat(windows).extracting(Window::id).containsExactly("2024-03-15T07Z");
    assertThat(readAll(source, spec, windows.get(0)))
        .filteredOn(SourceRecord::isBad)
        .extracting(r -> r.position() + ": " + r.problem())
        .singleElement()
        .asString()
        .startsWith("h.csv:4: window column 'at' is null");
    // a file of which no record has a window fails as a whole
    write("h.csv", "id,note,amount,at\n3,c,1,\n");
    assertThatThrownBy(() -> csv("h.csv").windows(spec))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("h.csv:2: window column 'at' is null");
  }

  @Test
  void recordsAreFreshArraysAndSourcesAreReReadable() throws IOException {
    write(
        "orders.csv",
        "id,note,amount,at\n1,a,1,2024-03-15T07:00:00Z\n2,b,1,2024-03-15T07:00:00Z\n");
    CsvSource source = csv("orders.csv");
    List<SourceRecord> first = readAll(source);
    assertThat(first.get(0).values()).isNotSameAs(first.get(1).values());
    assertThat(first.get(0).values()[0]).isEqualTo(1L);
    List<SourceRecord> second = readAll(source);
    assertThat(second)
        .extracting(r -> Arrays.asList(r.values()))
        .isEqualTo(first.stream().map(r -> Arrays.asList(r.values())).toList());
    assertThat(source.windows(WindowSpec.batch())).isEmpty();
    assertThat(readAll(source, WindowSpec.batch(), Window.batch("b1"))).hasSize(2);
  }

  @Test
  void describeIsStableAndMachineIndependent() {
    CsvSource a = new CsvSource(new FileSet(dir, "in/*.csv"), ORDERS, CsvFormat.DEFAULT);
    CsvSource b =
        new CsvSource(new FileSet(dir.resolve("elsewhere"), "in/*.csv"), ORDERS, CsvFormat.DEFAULT);
    assertThat(a.describe())
        .isEqualTo(b.describe())
        .isEqualTo("csv in/*.csv delimiter=',' quote='\"' header=true null='' encoding=UTF-8");
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(KeyEncoding.digest().digest(bytes));
  }

  @Test
  void theByteCheckForTheDatabasesReaderIsRememberedOnlyForTheBytesItChecked() throws IOException {
    Schema columns =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));
    write("d.csv", "id,at\n1,2024-03-15 07:00:00\n2,2024-03-16 07:00:00\n");
    CsvSource source = new CsvSource(new FileSet(dir, "d.csv"), columns, CsvFormat.DEFAULT);
    WindowSpec spec = WindowSpec.day("at", ZoneId.of("UTC"));
    List<Window> windows = source.windows(spec);
    assertThat(windows).hasSize(2);
    assertThat(source.csvFiles(spec, windows.get(0))).isPresent();
    assertThat(source.csvFiles(spec, windows.get(1))).isPresent(); // the file's check, remembered
    // the same days, now with a field quoted across two lines, which only the row path reads
    write("d.csv", "id,at\n1,2024-03-15 07:00:00\n\"2\n\",2024-03-16 07:00:00\n");
    assertThat(source.csvFiles(spec, windows.get(1))).isEmpty();
  }

  @Test
  void filesScannedTogetherGiveTheirWindowsAndTheFirstFailureInTheFilesOrder() throws IOException {
    WindowSpec days = WindowSpec.day("at", ZoneOffset.UTC);
    for (int i = 0; i < 12; i++) {
      write(
          String.format("d%02d.csv", i),
          "id,note,amount,at\n"
              + i
              + ",x,1.00,2024-03-"
              + String.format("%02d", i + 1)
              + "T10:00:00Z\n"
              + (100 + i)
              + ",y,2.00,2024-04-01T00:00:00Z\n");
    }
    assertThat(csv("d*.csv").windows(days))
        .extracting(Window::id)
        .containsExactly(
            "2024-03-01",
            "2024-03-02",
            "2024-03-03",
            "2024-03-04",
            "2024-03-05",
            "2024-03-06",
            "2024-03-07",
            "2024-03-08",
            "2024-03-09",
            "2024-03-10",
            "2024-03-11",
            "2024-03-12",
            "2024-04-01");
    // of several files failing the scan, the first in the files' order gives the error, even when
    // a later one fails first: d03 fails at its end (no record has a window), d09 at its header
    StringBuilder late = new StringBuilder("id,note,amount,at\n");
    for (int i = 0; i < 100_000; i++) {
      late.append(i).append(",x,1.00,not a time\n");
    }
    write("d03.csv", late.toString());
    write("d09.csv", "id,amount\n1,2.00\n");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> csv("d*.csv").windows(days))
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("d03.csv:2: ");
    }
  }
}
