package dev.idem.source.file;

import static dev.idem.source.file.CsvSourceTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSourceTest {
  private static final Schema EVENTS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("amount", DataType.decimal(10, 2)),
          Column.of("day", DataType.DATE),
          Column.of("payload", DataType.JSON),
          Column.of("ok", DataType.BOOLEAN));

  @TempDir Path dir;

  private JsonLinesSource source(String pattern) {
    return new JsonLinesSource(new FileSet(dir, pattern), EVENTS, StandardCharsets.UTF_8);
  }

  @Test
  void fieldsByNameNestedJsonMissingAndUnknownFields() throws IOException {
    Files.writeString(
        dir.resolve("e.jsonl"),
        String.join(
            "\n",
            "{\"id\": 1, \"amount\": 12.5, \"day\": \"2024-03-15\", \"payload\": {\"a\": [1, 2.50, {\"b\": null}], \"s\": \"x\\ny\"}, \"ok\": true}",
            "",
            "   ",
            "{\"unknown\": {\"deep\": [1]}, \"id\": 2, \"amount\": \"3\", \"payload\": \"text\"}",
            "{\"id\": 3, \"payload\": null, \"ok\": \"no\", \"amount\": 1e1}",
            ""));
    List<SourceRecord> rows = readAll(source("e.jsonl"));
    assertThat(rows)
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            Arrays.asList(
                1L,
                new BigDecimal("12.50"),
                LocalDate.of(2024, 3, 15),
                "{\"a\":[1,2.50,{\"b\":null}],\"s\":\"x\\ny\"}",
                true),
            Arrays.asList(2L, new BigDecimal("3.00"), null, "\"text\"", null),
            Arrays.asList(3L, new BigDecimal("10.00"), null, null, false));
    assertThat(rows)
        .extracting(SourceRecord::position)
        .containsExactly("e.jsonl:1", "e.jsonl:4", "e.jsonl:5");
  }

  @Test
  void malformedLinesNameFileAndLineAndReadingGoesOn() throws IOException {
    Files.writeString(
        dir.resolve("e.jsonl"),
        "{\"id\": 1}\n{\"id\": 2,\n{\"id\": 3}\n[1]\n{\"id\": 4} {\"id\": 5}\n{\"id\": 6, \"id\": 7}\n");
    try (RecordReader r = source("e.jsonl").read(WindowSpec.full(), Window.full())) {
      assertThat(r.next().values()[0]).isEqualTo(1L);
      assertBad(r.next(), "e.jsonl:2: malformed JSON");
      assertThat(r.next().values()[0]).isEqualTo(3L);
      assertBad(r.next(), "e.jsonl:4: expected one JSON object per line, found an array");
      assertBad(r.next(), "e.jsonl:5: expected one JSON object per line, found more after it");
      assertBad(r.next(), "e.jsonl:6: malformed JSON: Duplicate field 'id'");
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void nestedValuesOnlyInJsonColumnsAndStrictTypes() throws IOException {
    Files.writeString(
        dir.resolve("e.jsonl"),
        "{\"id\": {\"x\": 1}}\n{\"id\": 1.5}\n{\"amount\": 1.234}\n{\"ok\": 1}\n");
    try (RecordReader r = source("e.jsonl").read(WindowSpec.full(), Window.full())) {
      assertBad(
          r.next(),
          "e.jsonl:1: column id: found a nested object, but nested values are accepted only in json columns (this one is integer)");
      assertBad(r.next(), "e.jsonl:2: column id: JSON number '1.5' is not an integer");
      assertBad(r.next(), "e.jsonl:3: column amount: '1.234' has more than 2 decimal places");
      assertBad(r.next(), "e.jsonl:4: column ok: JSON number '1' is not a boolean");
    }
  }

  @Test
  void invalidUtf8NamesTheLine() throws IOException {
    byte[] head = "{\"id\": 1}\n{\"id\": 2}\n{\"payload\": \"".getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(head, head.length + 4);
    all[head.length] = (byte) 0xC3;
    all[head.length + 1] = (byte) 0x28;
    all[head.length + 2] = '"';
    all[head.length + 3] = '}';
    Files.write(dir.resolve("e.jsonl"), all);
    Files.write(
        dir.resolve("e.jsonl"),
        ByteBuffer.allocate(all.length + 10)
            .put(all)
            .put("\n{\"id\": 4}".getBytes(StandardCharsets.UTF_8))
            .array());
    List<SourceRecord> rows = readAll(source("e.jsonl"));
    assertThat(rows).hasSize(4);
    assertBad(rows.get(2), "e.jsonl:3: an invalid UTF-8 byte sequence (C3)");
    // reading goes on with the next line
    assertThat(rows.get(3).values()[0]).isEqualTo(4L);
  }

  @Test
  void dayWindowsFromADateColumn() throws IOException {
    Files.writeString(
        dir.resolve("a.jsonl"),
        "{\"id\": 1, \"day\": \"2024-03-15\"}\n{\"id\": 2, \"day\": \"2024-03-16\"}\n");
    Files.writeString(dir.resolve("b.jsonl"), "{\"id\": 3, \"day\": \"2024-03-16\"}\n");
    JsonLinesSource source = source("*.jsonl");
    WindowSpec spec = WindowSpec.day("day", ZoneOffset.UTC);
    assertThat(source.windows(spec))
        .extracting(Window::id)
        .containsExactly("2024-03-15", "2024-03-16");
    assertThat(readAll(source, spec, spec.window("2024-03-16")))
        .extracting(r -> r.values()[0])
        .containsExactly(2L, 3L);
    assertThat(source.describe()).isEqualTo("jsonl *.jsonl encoding=UTF-8");
  }

  /** A record returned as bad, whose "position: problem" starts with {@code expected}. */
  private static void assertBad(SourceRecord r, String expected) {
    assertThat(r.isBad()).as("%s", expected).isTrue();
    assertThat(r.position() + ": " + r.problem()).startsWith(expected);
    assertThat(r.raw()).isNotEmpty();
  }
}
