package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What travels to and from an engine's executors as bytes comes back as it went: rows (null ones
 * too) of equal values of the same classes, strings (null, and ones UTF-8 cannot hold) and
 * integers, in the order they were written.
 */
class ValueCodecProperties {
  /** One thing written: a row, a string or an integer. */
  private sealed interface Item permits Row, Text, Int {}

  private record Row(List<Object> values) implements Item {
    static Row of(Object[] values) {
      return new Row(values == null ? null : Arrays.asList(values));
    }

    Object[] array() {
      return values == null ? null : values.toArray();
    }
  }

  private record Text(String s) implements Item {}

  private record Int(int i) implements Item {}

  @Property(tries = 300)
  void whatIsWrittenIsReadBackInOrder(@ForAll("items") List<Item> items) {
    ValueCodec.Reader r = new ValueCodec.Reader(written(items));
    for (Item item : items) {
      if (item instanceof Row row) {
        sameValues(r.row(), row.array());
      } else if (item instanceof Text t) {
        assertThat(r.string()).isEqualTo(t.s());
      } else {
        assertThat(r.integer()).isEqualTo(((Int) item).i());
      }
    }
  }

  /**
   * The bytes between a reader's offsets before and after a row, copied by themselves, read back as
   * that row (a Spark shuffle sends each kept row's bytes so).
   */
  @Property(tries = 300)
  void aRowsBytesBetweenOffsetsReadBackAsTheRow(@ForAll("items") List<Item> items) {
    byte[] bytes = written(items);
    ValueCodec.Reader r = new ValueCodec.Reader(bytes);
    for (Item item : items) {
      int from = r.offset();
      if (item instanceof Row row) {
        r.row();
        sameValues(
            new ValueCodec.Reader(Arrays.copyOfRange(bytes, from, r.offset())).row(), row.array());
      } else if (item instanceof Text) {
        r.string();
      } else {
        r.integer();
      }
    }
    assertThat(r.offset()).isEqualTo(bytes.length);
  }

  /** The items written, in order. */
  private static byte[] written(List<Item> items) {
    ValueCodec.Writer w = new ValueCodec.Writer();
    for (Item item : items) {
      if (item instanceof Row row) {
        w.row(row.array());
      } else if (item instanceof Text t) {
        w.string(t.s());
      } else {
        w.integer(((Int) item).i());
      }
    }
    return w.bytes();
  }

  private static void sameValues(Object[] back, Object[] written) {
    if (written == null) {
      assertThat(back).isNull();
      return;
    }
    assertThat(back).hasSameSizeAs(written);
    for (int j = 0; j < written.length; j++) {
      assertThat(back[j]).isEqualTo(written[j]); // BigDecimal equals compares the scale too
      if (written[j] != null) {
        assertThat(back[j]).isExactlyInstanceOf(written[j].getClass());
      }
    }
  }

  @Provide
  Arbitrary<List<Item>> items() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.strings().ofMaxLength(40),
            // any chars, lone surrogates too (a JSON reader gives one for an escaped one)
            Arbitraries.strings().all().ofMaxLength(10),
            Arbitraries.of("\ud800", "a\udc00b", "\ud83e\udd86"));
    Arbitrary<Object> value =
        Arbitraries.oneOf(
            text.map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Combinators.combine(
                    Arbitraries.bigIntegers()
                        .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                    Arbitraries.integers().between(-5, 38))
                .as((u, s) -> (Object) new BigDecimal(u, s)),
            Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b),
            Arbitraries.longs()
                .between(-1_000_000, 3_000_000)
                .map(d -> (Object) LocalDate.ofEpochDay(d)),
            Combinators.combine(
                    Arbitraries.longs().between(-60_000_000_000L, 250_000_000_000L),
                    Arbitraries.integers().between(0, 999_999_999))
                .as((s, n) -> (Object) LocalDateTime.ofEpochSecond(s, n, ZoneOffset.UTC)),
            Combinators.combine(
                    Arbitraries.longs().between(-60_000_000_000L, 250_000_000_000L),
                    Arbitraries.integers().between(0, 999_999_999))
                .as((s, n) -> (Object) Instant.ofEpochSecond(s, n)),
            Arbitraries.doubles().map(d -> (Object) d)); // a type without a tag of its own
    Arbitrary<Item> row =
        Arbitraries.oneOf(
            Arbitraries.just(Row.of(null)), value.array(Object[].class).ofMaxSize(8).map(Row::of));
    return Arbitraries.oneOf(
            row, text.map(Text::new), Arbitraries.integers().map(Int::new).map(i -> (Item) i))
        .list()
        .ofMaxSize(20);
  }
}
