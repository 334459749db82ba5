package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParserTest {
  private static final Column AMOUNT = Column.of("amount", DataType.decimal(12, 2));
  private static final Column N = Column.of("n", DataType.INTEGER);
  private static final Column FLAG = Column.of("flag", DataType.BOOLEAN);
  private static final Column DAY = Column.of("day", DataType.DATE);
  private static final Column TS = Column.of("ts", DataType.TIMESTAMP);
  private static final Column TZ = Column.of("tz", DataType.TIMESTAMPTZ);

  @Test
  void stringsAndJsonAreKeptAsGiven() {
    assertThat(ValueParser.parse(Column.of("s", DataType.STRING), "  a ,\"b\" "))
        .isEqualTo("  a ,\"b\" ");
    assertThat(ValueParser.parse(Column.of("j", DataType.JSON), " {\"a\": 1} "))
        .isEqualTo(" {\"a\": 1} ");
    assertThat(ValueParser.parse(Column.of("s", DataType.STRING), "")).isEqualTo("");
  }

  @Test
  void nullIsNullUnlessTheColumnIsNotNull() {
    assertThat(ValueParser.parse(N, null)).isNull();
    assertThat(ValueParser.convert(N, null)).isNull();
    Column required = new Column("id", DataType.INTEGER, false);
    assertThatThrownBy(() -> ValueParser.parse(required, null))
        .isInstanceOf(DataException.class)
        .hasMessage("column id: null is not allowed: the column is declared not null");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "42|42",
        "-7|-7",
        "+5|5",
        " 12 |12",
        "007|7",
        "9223372036854775807|9223372036854775807",
        "-9223372036854775808|-9223372036854775808"
      })
  void integers(String text, long expected) {
    assertThat(ValueParser.parse(N, text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "1.0", "1e3", "abc", "1 2", "--1", "0x10", "\u0663", "١٢", "12L", "+", "1_000"
      })
  void notIntegers(String text) {
    assertThatThrownBy(() -> ValueParser.parse(N, text))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("column n: ")
        .hasMessageContaining("is not an integer");
  }

  @Test
  void integersOutOfRange() {
    assertThatThrownBy(() -> ValueParser.parse(N, "9223372036854775808"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'9223372036854775808' is out of range for integer");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1.5|1.50",
        "1.500|1.50",
        "12|12.00",
        "-0.01|-0.01",
        ".5|0.50",
        "5.|5.00",
        "1e3|1000.00",
        "1.5E-1|0.15",
        "-0.00|0.00",
        "9999999999.99|9999999999.99",
        "+3|3.00",
        " 2.5 |2.50",
        "12345000e-3|12345.00"
      })
  void decimals(String text, String expected) {
    BigDecimal d = (BigDecimal) ValueParser.parse(AMOUNT, text);
    assertThat(d).isEqualTo(new BigDecimal(expected));
    assertThat(d.scale()).isEqualTo(2);
  }

  @Test
  void decimalErrorsSayWhatWasExpected() {
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "abc"))
        .isInstanceOf(DataException.class)
        .hasMessage("column amount: 'abc' is not a decimal(12,2)");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "1.234"))
        .hasMessage(
            "column amount: '1.234' has more than 2 decimal places for decimal(12,2): values are never rounded");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "10000000000"))
        .hasMessage(
            "column amount: '10000000000' is out of range for decimal(12,2): at most 10 digits before the decimal point");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "1e10"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "1e-3"))
        .hasMessageContaining("more than 2 decimal places");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "1e999999999"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, "1e-999999999"))
        .hasMessageContaining("decimal places");
    for (String bad :
        new String[] {
          "", "1,5", "NaN", "Infinity", "1.2.3", "e5", "0x1p3", "1e", "\u0661.5", "1 000"
        }) {
      assertThatThrownBy(() -> ValueParser.parse(AMOUNT, bad))
          .as(bad)
          .isInstanceOf(DataException.class)
          .hasMessageContaining("is not a decimal(12,2)");
    }
  }

  @Test
  void aHugeDecimalIsRefusedWithoutBeingParsed() {
    // new BigDecimal over 10 MB of digits takes hours; the refusal must be immediate
    String huge = "9".repeat(10 * 1024 * 1024);
    assertThatThrownBy(() -> ValueParser.parse(AMOUNT, huge))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("column amount: '999999")
        .hasMessageEndingWith(
            "is not a decimal(12,2): 10485760 characters, at most 1000 are read as a number");
    assertThat(ValueParser.parse(AMOUNT, "0".repeat(990) + "1.50"))
        .isEqualTo(new BigDecimal("1.50"));
  }

  @Test
  void decimalsWithoutIntegerDigits() {
    Column fraction = Column.of("f", DataType.decimal(3, 3));
    assertThat(ValueParser.parse(fraction, "0.125")).isEqualTo(new BigDecimal("0.125"));
    assertThatThrownBy(() -> ValueParser.parse(fraction, "1.0"))
        .hasMessageContaining("at most 0 digits");
  }

  @ParameterizedTest
  @CsvSource({
    "true,true",
    "TRUE,true",
    "t,true",
    "T,true",
    "1,true",
    "yes,true",
    "Yes,true",
    "false,false",
    "False,false",
    "f,false",
    "0,false",
    "no,false",
    "NO,false",
    "' true ',true"
  })
  void booleans(String text, boolean expected) {
    assertThat(ValueParser.parse(FLAG, text)).isEqualTo(expected);
  }

  @Test
  void booleansAreCaseInsensitiveWithoutTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(new Locale("tr", "TR"));
      // Turkish lower-cases "I" to a dotless "ı": "TRUE" must still be read with Locale.ROOT
      assertThat(ValueParser.parse(FLAG, "TRUE")).isEqualTo(true);
      assertThat(ValueParser.parse(Column.of("d", DataType.DATE), "2024-03-15"))
          .isEqualTo(LocalDate.of(2024, 3, 15));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "y", "n", "2", "on", "off", "tru", "yes!", "ja"})
  void notBooleans(String text) {
    assertThatThrownBy(() -> ValueParser.parse(FLAG, text))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("is not a boolean: expected true/false, t/f, 1/0 or yes/no");
  }

  @Test
  void dates() {
    assertThat(ValueParser.parse(DAY, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
    assertThat(ValueParser.parse(DAY, " 2024-03-15\t")).isEqualTo(LocalDate.of(2024, 3, 15));
    for (String bad :
        new String[] {
          "2023-02-29", "2024-3-15", "15/03/2024", "2024-03-15T00:00", "20240315", "2024-13-01"
        }) {
      assertThatThrownBy(() -> ValueParser.parse(DAY, bad))
          .as(bad)
          .hasMessageContaining("is not a date: expected yyyy-MM-dd");
    }
  }

  @Test
  void timestamps() {
    assertThat(ValueParser.parse(TS, "2024-03-15T07:00:00"))
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 7, 0));
    assertThat(ValueParser.parse(TS, "2024-03-15 07:00:00.125"))
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 7, 0, 0, 125_000_000));
    assertThat(ValueParser.parse(TS, "2024-03-15T07:00:00.123456789"))
        .isEqualTo(LocalDateTime.of(2024, 3, 15, 7, 0, 0, 123_456_789));
    assertThatThrownBy(() -> ValueParser.parse(TS, "2024-03-15T07:00:00Z"))
        .hasMessageContaining("has a time zone offset")
        .hasMessageContaining("declare the column timestamptz");
    assertThatThrownBy(() -> ValueParser.parse(TS, "2024-03-15T07:00:00+01:00"))
        .hasMessageContaining("has a time zone offset");
    for (String bad :
        new String[] {
          "2024-03-15",
          "2024-03-15T25:00:00",
          "2024-03-15T07:00:00.1234567891",
          "2024-02-30T00:00:00",
          "x"
        }) {
      assertThatThrownBy(() -> ValueParser.parse(TS, bad))
          .as(bad)
          .hasMessageContaining("is not a timestamp");
    }
  }

  @Test
  void timestamptz() {
    assertThat(ValueParser.parse(TZ, "2024-03-15T07:00:00Z"))
        .isEqualTo(Instant.parse("2024-03-15T07:00:00Z"));
    assertThat(ValueParser.parse(TZ, "2024-03-15 09:00:00.5+02:00"))
        .isEqualTo(Instant.parse("2024-03-15T07:00:00.500Z"));
    assertThat(ValueParser.parse(TZ, "2024-04-07T03:44:59+13:45"))
        .isEqualTo(Instant.parse("2024-04-06T13:59:59Z"));
    assertThat(ValueParser.parse(TZ, "2024-03-15T02:00:00-05"))
        .isEqualTo(Instant.parse("2024-03-15T07:00:00Z"));
    assertThatThrownBy(() -> ValueParser.parse(TZ, "2024-03-15T07:00:00"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "column tz: '2024-03-15T07:00:00' has no offset: a timestamptz needs Z or an offset");
    assertThatThrownBy(() -> ValueParser.parse(TZ, "2024-03-15T07:00:00Europe/Paris"))
        .hasMessageContaining("is not a timestamptz");
    assertThatThrownBy(() -> ValueParser.parse(TZ, "2024-02-30T07:00:00Z"))
        .hasMessageContaining("is not a timestamptz");
  }

  @Test
  void errorMessagesStayOnOneLineAndShort() {
    String hostile = "1\n2\r3\u0000" + "x".repeat(500);
    assertThatThrownBy(() -> ValueParser.parse(N, hostile))
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("\n", "\r", "\u0000")
                    .hasSizeLessThan(200))
        .hasMessageContaining("'1\\u000a2\\u000d3\\u0000xxx");
  }

  @Test
  void jsonValuesAreConvertedStrictly() {
    assertThat(ValueParser.convert(N, 42)).isEqualTo(42L);
    assertThat(ValueParser.convert(N, 42L)).isEqualTo(42L);
    assertThat(ValueParser.convert(N, "42")).isEqualTo(42L);
    assertThat(ValueParser.convert(N, BigInteger.valueOf(Long.MAX_VALUE)))
        .isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> ValueParser.convert(N, BigInteger.ONE.shiftLeft(63)))
        .hasMessageContaining("out of range for integer");
    assertThatThrownBy(() -> ValueParser.convert(N, new BigDecimal("42.0")))
        .hasMessage(
            "column n: JSON number '42.0' is not an integer: expected a JSON integer or a string holding one");
    assertThatThrownBy(() -> ValueParser.convert(N, true))
        .hasMessageContaining("JSON boolean true is not an integer");

    assertThat(ValueParser.convert(AMOUNT, new BigDecimal("12.5")))
        .isEqualTo(new BigDecimal("12.50"));
    assertThat(ValueParser.convert(AMOUNT, 12L)).isEqualTo(new BigDecimal("12.00"));
    assertThat(ValueParser.convert(AMOUNT, 0.1)).isEqualTo(new BigDecimal("0.10"));
    assertThat(ValueParser.convert(AMOUNT, "0.1")).isEqualTo(new BigDecimal("0.10"));
    assertThatThrownBy(() -> ValueParser.convert(AMOUNT, new BigDecimal("0.125")))
        .hasMessageContaining("more than 2 decimal places");
    assertThatThrownBy(() -> ValueParser.convert(AMOUNT, Double.NaN))
        .hasMessageContaining("is not a decimal(12,2)");

    assertThat(ValueParser.convert(FLAG, false)).isEqualTo(false);
    assertThat(ValueParser.convert(FLAG, "yes")).isEqualTo(true);
    assertThatThrownBy(() -> ValueParser.convert(FLAG, 1L))
        .hasMessageContaining("JSON number '1' is not a boolean");

    assertThat(ValueParser.convert(TZ, "2024-03-15T07:00:00Z"))
        .isEqualTo(Instant.parse("2024-03-15T07:00:00Z"));
    assertThatThrownBy(() -> ValueParser.convert(TZ, 1710486000L))
        .hasMessageContaining("is not a timestamptz: expected a string");
    assertThatThrownBy(() -> ValueParser.convert(Column.of("s", DataType.STRING), 5L))
        .hasMessageContaining("is not a string");
  }
}
