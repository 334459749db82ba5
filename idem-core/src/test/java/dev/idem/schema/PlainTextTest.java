package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every text a {@link PlainText} pattern matches is accepted by {@link ValueParser} as the value
 * its plain reading denotes (the one a SQL cast gives), and the forms {@code ValueParser} reads
 * loosely (whitespace, {@code +}, exponents, rounding) do not match (ADR 0009).
 */
class PlainTextTest {
  private static boolean plain(DataType type, String text) {
    return Pattern.matches(PlainText.pattern(type).orElseThrow(), text);
  }

  @Provide
  Arbitrary<String> integers() {
    return Combinators.combine(
            Arbitraries.of("", "-"), Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(18))
        .as((sign, digits) -> sign + digits);
  }

  @Property(tries = 200)
  void plainIntegersAreTheirDigits(@ForAll("integers") String text) {
    assertThat(plain(DataType.INTEGER, text)).isTrue();
    assertThat(ValueParser.parse(Column.of("v", DataType.INTEGER), text))
        .isEqualTo(new BigDecimal(text).longValueExact());
  }

  @Provide
  Arbitrary<String> decimals() {
    return Combinators.combine(
            Arbitraries.of("", "-"),
            Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(10),
            Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(2))
        .as((sign, whole, fraction) -> sign + whole + (fraction.isEmpty() ? "" : "." + fraction));
  }

  @Property(tries = 200)
  void plainDecimalsAreTheirValueAtTheDeclaredScale(@ForAll("decimals") String text) {
    DataType type = DataType.decimal(12, 2);
    assertThat(plain(type, text)).isTrue();
    assertThat(ValueParser.parse(Column.of("v", type), text))
        .isEqualTo(new BigDecimal(text).setScale(2, RoundingMode.UNNECESSARY));
  }

  @Provide
  Arbitrary<LocalDateTime> times() {
    return Combinators.combine(
            Arbitraries.longs().between(-20_000_000_000L, 200_000_000_000L),
            Arbitraries.integers().between(0, 999_999))
        .as((s, micros) -> LocalDateTime.ofEpochSecond(s, micros * 1000, java.time.ZoneOffset.UTC))
        .filter(t -> t.getYear() >= 1000 && t.getYear() <= 9999);
  }

  @Property(tries = 200)
  void plainTimestampsAndDatesAreTheirValue(
      @ForAll("times") LocalDateTime t, @ForAll boolean withT, @ForAll boolean withFraction) {
    String text =
        t.format(
            DateTimeFormatter.ofPattern(
                (withT ? "uuuu-MM-dd'T'HH:mm:ss" : "uuuu-MM-dd HH:mm:ss")
                    + (withFraction ? ".SSSSSS" : "")));
    LocalDateTime expected = withFraction ? t : t.withNano(0);
    assertThat(plain(DataType.TIMESTAMP, text)).isTrue();
    assertThat(ValueParser.parse(Column.of("v", DataType.TIMESTAMP), text)).isEqualTo(expected);
    String day = t.toLocalDate().toString();
    assertThat(plain(DataType.DATE, day)).isTrue();
    assertThat(ValueParser.parse(Column.of("v", DataType.DATE), day)).isEqualTo(t.toLocalDate());
  }

  @Example
  void textsReadLooselyOrNotAtAllAreNotPlain() {
    for (String s : List.of(" 5", "+5", "5 ", "1e3", "1234567890123456789", "", "0x10", "١٢")) {
      assertThat(plain(DataType.INTEGER, s)).as(s).isFalse();
    }
    for (String s : List.of("1.500", ".5", "1.", "1e2", "12345678901", " 1.5", "+1.5", "1,5")) {
      assertThat(plain(DataType.decimal(12, 2), s)).as(s).isFalse();
    }
    for (String s : List.of("TRUE", "t", "1", "yes", "no", " true")) {
      assertThat(plain(DataType.BOOLEAN, s)).as(s).isFalse();
    }
    for (String s :
        List.of(
            "2024-03-01 08:00",
            "2024-03-01 24:00:00",
            "2024-03-01 08:00:00.1234567",
            "2024-03-01T08:00:00Z",
            "0999-03-01 08:00:00",
            " 2024-03-01 08:00:00")) {
      assertThat(plain(DataType.TIMESTAMP, s)).as(s).isFalse();
    }
    assertThat(PlainText.pattern(DataType.TIMESTAMPTZ)).isEmpty();
    assertThat(PlainText.pattern(DataType.JSON)).isEmpty();
    assertThat(PlainText.pattern(DataType.decimal(2, 2))).isEmpty();
  }

  @Example
  void aDateTheCalendarLacksMatchesButNeedsTheCastWhichRefusesItAsValueParserDoes() {
    assertThat(plain(DataType.DATE, "2024-02-30")).isTrue();
    assertThat(PlainText.needsCast(DataType.DATE)).isTrue();
    assertThatThrownBy(() -> ValueParser.parse(Column.of("v", DataType.DATE), "2024-02-30"))
        .isInstanceOf(DataException.class);
  }
}
