package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.key.KeyEncoding;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.api.Assertions;

/** Round trips: a value's canonical text parses back to the same value. */
class ValueParserProperties {

  @Property
  void integers(@ForAll long v) {
    assertThat(ValueParser.parse(Column.of("n", DataType.INTEGER), Long.toString(v))).isEqualTo(v);
  }

  @Property
  void decimals(
      @ForAll @IntRange(min = 1, max = 38) int precision,
      @ForAll @IntRange(min = 0, max = 38) int scaleSeed,
      @ForAll long seed) {
    int scale = scaleSeed % (precision + 1);
    BigInteger bound = BigInteger.TEN.pow(precision);
    BigInteger unscaled =
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(seed).abs().add(BigInteger.ONE))
            .mod(bound);
    if (seed < 0) {
      unscaled = unscaled.negate();
    }
    BigDecimal v = new BigDecimal(unscaled, scale);
    Column c = Column.of("d", DataType.decimal(precision, scale));
    assertThat(ValueParser.parse(c, v.toPlainString())).isEqualTo(v);
    assertThat(ValueParser.parse(c, v.toString())).isEqualTo(v);
    assertThat(ValueParser.parse(c, v.stripTrailingZeros().toString())).isEqualTo(v);
    assertThat(ValueParser.convert(c, v.stripTrailingZeros())).isEqualTo(v);
  }

  @Property
  void decimalsThatNeedRoundingAreRejected(
      @ForAll @IntRange(min = 1, max = 20) int precision, @ForAll long unscaled) {
    if (unscaled % 10 == 0) {
      return;
    }
    int scale = precision / 2;
    BigDecimal tooFine = BigDecimal.valueOf(unscaled, scale + 1);
    Column c = Column.of("d", DataType.decimal(precision, scale));
    Assertions.assertThatThrownBy(() -> ValueParser.parse(c, tooFine.toPlainString()))
        .isInstanceOf(DataException.class);
  }

  @Property
  void booleans(@ForAll boolean b) {
    assertThat(ValueParser.parse(Column.of("b", DataType.BOOLEAN), Boolean.toString(b)))
        .isEqualTo(b);
  }

  @Property
  void dates(@ForAll("instants") Instant i) {
    LocalDate d = LocalDate.ofInstant(i, ZoneOffset.UTC);
    assertThat(ValueParser.parse(Column.of("d", DataType.DATE), d.toString())).isEqualTo(d);
  }

  /**
   * Timestamps of the common shape are read without a formatter: on any string of that shape
   * (digits anywhere, so also impossible dates and times) the result must be the formatter's.
   */
  @Property(tries = 3000)
  void timestampsOfTheCommonShapeReadAsTheIsoFormatterReadsThem(
      @ForAll("timestampShaped") String text) {
    Column c = Column.of("t", DataType.TIMESTAMP);
    LocalDateTime expected;
    try {
      expected = LocalDateTime.parse(text.replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      expected = null;
    }
    if (expected != null) {
      assertThat(ValueParser.parse(c, text)).isEqualTo(expected);
    } else {
      Assertions.assertThatThrownBy(() -> ValueParser.parse(c, text))
          .isInstanceOf(DataException.class);
    }
  }

  @Provide
  Arbitrary<String> timestampShaped() {
    Arbitrary<String> two = Arbitraries.strings().withChars("0123456789").ofLength(2);
    Arbitrary<String> fraction =
        Arbitraries.strings()
            .withChars("0123456789")
            .ofMinLength(0)
            .ofMaxLength(10)
            .map(f -> "." + f);
    return Combinators.combine(
            Arbitraries.strings().withChars("0123456789").ofLength(4),
            Arbitraries.oneOf(Arbitraries.of("01", "02", "12", "13", "00"), two),
            Arbitraries.oneOf(Arbitraries.of("28", "29", "30", "31", "00", "32"), two),
            Arbitraries.of("T", " "),
            Arbitraries.oneOf(Arbitraries.of("00", "23", "24"), two),
            two,
            Arbitraries.oneOf(Arbitraries.of("", ":00", ":59", ":60"), two.map(x -> ":" + x)),
            fraction.injectNull(0.3))
        .as(
            (y, mo, d, sep, h, mi, sec, f) ->
                y
                    + "-"
                    + mo
                    + "-"
                    + d
                    + sep
                    + h
                    + ":"
                    + mi
                    + sec
                    + (f == null || sec.isEmpty() ? "" : f));
  }

  @Property
  void timestamps(@ForAll("instants") Instant i) {
    LocalDateTime t = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    Column c = Column.of("t", DataType.TIMESTAMP);
    assertThat(ValueParser.parse(c, t.toString())).isEqualTo(t);
    assertThat(ValueParser.parse(c, t.toString().replace('T', ' '))).isEqualTo(t);
    assertThat(ValueParser.parse(c, KeyEncoding.text(t))).isEqualTo(t);
  }

  @Property
  void timestamptz(
      @ForAll("instants") Instant i,
      @ForAll @IntRange(min = -18 * 4, max = 18 * 4) int quarterHours) {
    Column c = Column.of("t", DataType.TIMESTAMPTZ);
    assertThat(ValueParser.parse(c, i.toString())).isEqualTo(i);
    assertThat(ValueParser.parse(c, KeyEncoding.text(i))).isEqualTo(i);
    String withOffset = i.atOffset(ZoneOffset.ofTotalSeconds(quarterHours * 900)).toString();
    assertThat(ValueParser.parse(c, withOffset)).isEqualTo(i);
  }

  @Property
  void strings(@ForAll String s) {
    assertThat(ValueParser.parse(Column.of("s", DataType.STRING), s)).isEqualTo(s);
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs()
        .between(-30_000_000_000L, 250_000_000_000L)
        .flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, 999_999_999)
                    .map(n -> Instant.ofEpochSecond(s, n)));
  }
}
