package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** What a task's records become on the driver: equal values of the same classes, in order. */
class RecordCodecTest {
  @Property(tries = 200)
  void recordsComeBackEqualInOrder(@ForAll("records") List<SourceRecord> records) {
    RecordCodec.Writer w = new RecordCodec.Writer();
    records.forEach(w::add);
    RecordCodec.Reader r = new RecordCodec.Reader(w.bytes(), w.count());
    List<SourceRecord> back = new ArrayList<>();
    while (r.hasNext()) {
      back.add(r.next());
    }
    assertThat(back).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      SourceRecord a = records.get(i);
      SourceRecord b = back.get(i);
      assertThat(b.position()).isEqualTo(a.position());
      assertThat(b.raw()).isEqualTo(a.raw());
      assertThat(b.problem()).isEqualTo(a.problem());
      assertThat(b.badValues()).isEqualTo(a.badValues());
      if (a.values() == null) {
        assertThat(b.values()).isNull();
        continue;
      }
      assertThat(b.values()).hasSameSizeAs(a.values());
      for (int j = 0; j < a.values().length; j++) {
        Object x = a.values()[j];
        Object y = b.values()[j];
        assertThat(y).isEqualTo(x); // BigDecimal equals compares the scale too
        if (x != null) {
          assertThat(y).isExactlyInstanceOf(x.getClass());
        }
      }
    }
  }

  @Provide
  Arbitrary<List<SourceRecord>> records() {
    Arbitrary<Object> value =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
            // any chars, lone surrogates too (a JSON reader gives one for an escaped lone
            // surrogate)
            Arbitraries.strings().all().ofMaxLength(10).map(s -> (Object) s),
            Arbitraries.of("\ud800", "a\udc00b", "\ud83e\udd86").map(s -> (Object) s),
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
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(30), Arbitraries.strings().all().ofMaxLength(8));
    Arbitrary<SourceRecord> good =
        Combinators.combine(value.array(Object[].class).ofMaxSize(8), text)
            .as((v, pos) -> new SourceRecord(v, pos));
    Arbitrary<SourceRecord> bad =
        Combinators.combine(text, text, text)
            .as((pos, raw, why) -> SourceRecord.bad(pos, raw, why));
    Arbitrary<SourceRecord> badValues =
        Combinators.combine(
                value.array(Object[].class).ofMinSize(1).ofMaxSize(4),
                text,
                text,
                Combinators.combine(text, text, text)
                    .as(BadValue::new)
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(3))
            .as(SourceRecord::withBadValues);
    return Arbitraries.oneOf(good, bad, badValues).list().ofMaxSize(20);
  }
}
