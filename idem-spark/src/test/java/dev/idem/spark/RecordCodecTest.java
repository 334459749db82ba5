package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What a task's records become on the driver: equal positions, raw input, problems, bad values and
 * values of the same classes, in order.
 */
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

  /** Records of a few kinds of values: every value's encoding is ValueCodecProperties' (core). */
  @Provide
  Arbitrary<List<SourceRecord>> records() {
    Arbitrary<Object> value =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.bigDecimals().ofScale(3).map(d -> (Object) d));
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
