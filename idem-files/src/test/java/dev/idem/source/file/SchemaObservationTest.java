package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What CSV and JSON-lines sources report of their input's schema, read observing it. */
class SchemaObservationTest {
  private static final Schema ORDERS =
      Schema.of(
          new Column("id", DataType.INTEGER, false),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("day", DataType.DATE));

  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private CsvSource csv(String pattern) {
    return new CsvSource(new FileSet(dir, pattern), ORDERS, CsvFormat.DEFAULT);
  }

  private JsonLinesSource jsonl(String pattern) {
    return new JsonLinesSource(new FileSet(dir, pattern), ORDERS, StandardCharsets.UTF_8);
  }

  private static List<SourceRecord> read(
      FileSource source, WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    List<SourceRecord> all = new ArrayList<>();
    try (RecordReader r = source.read(spec, window, observed)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        all.add(rec);
      }
    }
    return all;
  }

  private static List<SourceRecord> read(FileSource source, ObservedSchema observed)
      throws IOException {
    return read(source, WindowSpec.full(), Window.full(), observed);
  }

  @Test
  void aCsvHeaderIsTheFilesSchemaAndAMissingColumnReadsAsNull() throws IOException {
    write("a.csv", "amount,id,discount,coupon\n1.50,1,0.5,\n2.00,2,,X\n");
    ObservedSchema o = ObservedSchema.of(ORDERS, DriftPolicy.DISCARD);
    List<SourceRecord> rows = read(csv("a.csv"), o);
    assertThat(rows)
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            Arrays.asList(1L, new BigDecimal("1.50"), null),
            Arrays.asList(2L, new BigDecimal("2.00"), null));
    assertThat(o.diff().describe()).isEqualTo("added: discount, coupon; removed: day");
    assertThat(o.firstAt()).isEqualTo("a.csv:1");
    assertThat(o.droppedValues()).isEqualTo(2); // 0.5 and X; the empty fields are NULL
    // read without observing, a missing declared column still fails the read, as always
    assertThatThrownBy(() -> CsvSourceTest.readAll(csv("a.csv")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("a.csv:1: the header has no column 'day'");
  }

  @Test
  void evolveKeepsAddedCsvColumnsAsStringsAfterTheDeclaredValues() throws IOException {
    write("a.csv", "id,amount,day\n1,1.50,2024-03-01\n");
    write("b.csv", "id,discount,amount,day\n2,0.5,2.00,2024-03-02\n3,,3.00,2024-03-02\n");
    List<Column> staged = new ArrayList<>();
    ObservedSchema o =
        new ObservedSchema(
            ORDERS,
            DriftPolicy.EVOLVE,
            (index, proposed) -> {
              staged.add(proposed);
              return proposed;
            });
    List<SourceRecord> rows = read(csv("*.csv"), o);
    assertThat(staged).containsExactly(Column.of("discount", DataType.STRING));
    assertThat(rows)
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(
            Arrays.asList(1L, new BigDecimal("1.50"), LocalDate.parse("2024-03-01")),
            Arrays.asList(2L, new BigDecimal("2.00"), LocalDate.parse("2024-03-02"), "0.5"),
            Arrays.asList(3L, new BigDecimal("3.00"), LocalDate.parse("2024-03-02"), null));
    assertThat(o.firstAt()).isEqualTo("b.csv:1");
    assertThat(o.droppedValues()).isZero();
  }

  @Test
  void evolveConvertsAddedValuesToTheTargetsTypeAndRetypesThoseThatDoNotFit() throws IOException {
    write("a.csv", "id,amount,day,discount\n1,1.50,2024-03-01,0.5\n2,2.00,2024-03-01,half\n");
    ObservedSchema o =
        new ObservedSchema(
            ORDERS,
            DriftPolicy.EVOLVE,
            (index, proposed) -> new Column("discount", DataType.decimal(4, 2), true));
    List<SourceRecord> rows = read(csv("a.csv"), o);
    assertThat(rows.get(0).values())
        .containsExactly(
            1L, new BigDecimal("1.50"), LocalDate.parse("2024-03-01"), new BigDecimal("0.50"));
    assertThat(rows.get(1).isBad()).isTrue();
    assertThat(rows.get(1).problem()).isEqualTo("column discount: 'half' is not a decimal(4,2)");
    assertThat(o.diff().describe())
        .isEqualTo("added: discount; retyped: discount from decimal(4,2) to string");
  }

  @Test
  void aValueThatIsNotOfItsTypeRetypesItsColumnByTheNarrowestTypeHoldingIt() throws IOException {
    write("a.csv", "id,amount,day\n1,1.505,2024-03-01\n2,abc,2024-03-01\n");
    ObservedSchema o = ObservedSchema.of(ORDERS, DriftPolicy.DISCARD);
    List<SourceRecord> rows = read(csv("a.csv"), o);
    assertThat(rows).allMatch(SourceRecord::isBad);
    assertThat(o.diff().describe()).isEqualTo("retyped: amount from decimal(12,2) to decimal(4,3)");
    assertThat(o.firstAt()).isEqualTo("a.csv:2");
  }

  @Test
  void aNullInANotNullColumnIsABadRecordButNoRetype() throws IOException {
    write("a.csv", "id,amount,day\n,1.50,2024-03-01\n");
    ObservedSchema o = ObservedSchema.of(ORDERS, DriftPolicy.DISCARD);
    assertThat(read(csv("a.csv"), o)).allMatch(SourceRecord::isBad);
    assertThat(o.diff().isEmpty()).isTrue();
  }

  @Test
  void evolveRefusesAnUndeclaredNameTheHeaderGivesTwice() throws IOException {
    write("a.csv", "id,amount,day,x,x\n1,1.50,2024-03-01,a,b\n");
    assertThat(read(csv("a.csv"), ObservedSchema.of(ORDERS, DriftPolicy.DISCARD))).hasSize(1);
    assertThatThrownBy(() -> read(csv("a.csv"), ObservedSchema.of(ORDERS, DriftPolicy.EVOLVE)))
        .isInstanceOf(DataException.class)
        .hasMessage("a.csv:1: the header names column 'x' twice");
  }

  @Test
  void dayWindowsListTheWindowsOfAFileLackingAColumnButNotOfOneLackingTheWindowColumn()
      throws IOException {
    WindowSpec days = WindowSpec.day("day", ZoneOffset.UTC);
    write("a.csv", "id,day\n1,2024-03-01\n2,2024-03-02\n");
    assertThat(csv("a.csv").windows(days))
        .extracting(Window::id)
        .containsExactly("2024-03-01", "2024-03-02");
    ObservedSchema o = ObservedSchema.of(ORDERS, DriftPolicy.EVOLVE);
    assertThat(read(csv("a.csv"), days, days.window("2024-03-02"), o))
        .extracting(r -> Arrays.asList(r.values()))
        .containsExactly(Arrays.asList(2L, null, LocalDate.parse("2024-03-02")));
    assertThat(o.diff().describe()).isEqualTo("removed: amount");
    write("b.csv", "id,amount\n1,2.00\n");
    assertThatThrownBy(() -> csv("b.csv").windows(days))
        .isInstanceOf(DataException.class)
        .hasMessage("b.csv:1: the input has no column 'day', the window column");
  }

  @Test
  void jsonKeysAreObservedOnlyForTheRecordsOfTheWindowRead() throws IOException {
    WindowSpec days = WindowSpec.day("day", ZoneOffset.UTC);
    write(
        "a.jsonl",
        "{\"id\": 1, \"amount\": 1.5, \"day\": \"2024-03-01\"}\n{\"id\": 2, \"day\": \"2024-03-02\", \"discount\": 0.5}\n");
    ObservedSchema first = ObservedSchema.of(ORDERS, DriftPolicy.FREEZE);
    assertThat(read(jsonl("a.jsonl"), days, days.window("2024-03-01"), first)).hasSize(1);
    assertThat(first.diff().isEmpty()).isTrue();
    ObservedSchema second = ObservedSchema.of(ORDERS, DriftPolicy.FREEZE);
    assertThat(read(jsonl("a.jsonl"), days, days.window("2024-03-02"), second)).hasSize(1);
    // an absent key is null, so amount is removed only because no record of the window has it
    assertThat(second.diffSoFar().describe()).isEqualTo("added: discount");
    assertThat(second.diff().describe()).isEqualTo("added: discount; removed: amount");
    assertThat(second.firstAt()).isEqualTo("a.jsonl:2");
  }

  @Test
  void evolveTypesAddedJsonKeysByTheirFirstNonNullValue() throws IOException {
    write(
        "a.jsonl",
        String.join(
            "\n",
            "{\"id\": 1, \"n\": null, \"i\": 7, \"f\": 1.25, \"s\": \"x\", \"b\": false, \"o\": {\"k\": [1, 2.50]}, \"big\": 123456789012345678901}",
            "{\"id\": 2, \"n\": null, \"i\": 8.5, \"o\": \"text\"}",
            "{\"id\": 3, \"amount\": {\"nested\": true}}",
            ""));
    List<Column> staged = new ArrayList<>();
    ObservedSchema o =
        new ObservedSchema(
            ORDERS,
            DriftPolicy.EVOLVE,
            (index, proposed) -> {
              staged.add(proposed);
              return proposed;
            });
    List<SourceRecord> rows = read(jsonl("a.jsonl"), o);
    assertThat(staged)
        .containsExactly(
            Column.of("i", DataType.INTEGER),
            Column.of("f", DataType.decimal(38, 9)),
            Column.of("s", DataType.STRING),
            Column.of("b", DataType.BOOLEAN),
            Column.of("o", DataType.JSON),
            Column.of("big", DataType.decimal(38, 0)));
    assertThat(rows.get(0).values())
        .containsExactly(
            1L,
            null,
            null,
            null,
            7L,
            new BigDecimal("1.250000000"),
            "x",
            false,
            "{\"k\":[1,2.50]}",
            new BigDecimal("123456789012345678901"));
    // 8.5 is no integer: the record is bad and i retyped; a JSON string is a json value's text as
    // given
    assertThat(rows.get(1).isBad()).isTrue();
    assertThat(rows.get(1).problem())
        .isEqualTo(
            "column i: JSON number '8.5' is not an integer: expected a JSON integer or a string holding one");
    assertThat(rows.get(2).isBad()).isTrue();
    assertThat(o.diff().describe())
        .isEqualTo(
            "added: n, i, f, s, b, o, big; removed: day; retyped: i from integer to decimal(2,1), amount from decimal(12,2) to json");
  }

  @Test
  void discardCountsTheNonNullValuesOfUndeclaredJsonKeys() throws IOException {
    write(
        "a.jsonl",
        "{\"id\": 1, \"amount\": 1, \"day\": \"2024-03-01\", \"x\": 1, \"y\": null, \"z\": [1]}\n{\"id\": 2, \"x\": \"a\"}\n");
    ObservedSchema o = ObservedSchema.of(ORDERS, DriftPolicy.DISCARD);
    List<SourceRecord> rows = read(jsonl("a.jsonl"), o);
    assertThat(rows).extracting(r -> r.values().length).containsExactly(3, 3);
    assertThat(o.droppedValues()).isEqualTo(3);
    assertThat(o.added()).isEqualTo(3);
  }
}
