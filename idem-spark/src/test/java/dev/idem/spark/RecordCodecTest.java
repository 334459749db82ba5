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
    assertSameRecords(back(w), records);
    // one at a time, read again in place (a task's fold reads a key's kept record so)
    List<SourceRecord> one = new ArrayList<>();
    for (int i = records.size() - 1; i >= 0; i--) {
      one.add(0, w.record(i));
    }
    assertSameRecords(one, records);
  }

  /**
   * Records written again with some replaced (a task's folded records): the replacements and the
   * others' copied bytes read back as the records they stand for, in order.
   */
  @Property(tries = 200)
  void recordsWrittenAgainWithSomeReplacedComeBackSo(
      @ForAll("records") List<SourceRecord> records,
      @ForAll("records") List<SourceRecord> replacements,
      @ForAll long seed) {
    RecordCodec.Writer w = new RecordCodec.Writer();
    records.forEach(w::add);
    java.util.Random random = new java.util.Random(seed);
    List<SourceRecord> expected = new ArrayList<>();
    SourceRecord[] replace = new SourceRecord[records.size()];
    for (int i = 0; i < records.size(); i++) {
      if (!replacements.isEmpty() && random.nextBoolean()) {
        replace[i] = replacements.get(random.nextInt(replacements.size()));
      }
      expected.add(replace[i] == null ? records.get(i) : replace[i]);
    }
    RecordCodec.Writer again = w.replacing(i -> replace[i]);
    assertThat(again.count()).isEqualTo(records.size());
    assertThat(again.folded()).isEqualTo(expected.stream().filter(SourceRecord::isFolded).count());
    assertSameRecords(back(again), expected);
  }

  private static List<SourceRecord> back(RecordCodec.Writer w) {
    RecordCodec.Reader r = new RecordCodec.Reader(w.bytes(), w.count());
    List<SourceRecord> back = new ArrayList<>();
    while (r.hasNext()) {
      back.add(r.next());
    }
    return back;
  }

  private static void assertSameRecords(List<SourceRecord> back, List<SourceRecord> records) {
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
    Arbitrary<SourceRecord> folded =
        Arbitraries.oneOf(
            text.injectNull(0.5).map(pos -> SourceRecord.folded(pos, List.of())),
            badValues.map(r -> SourceRecord.folded(r.position(), r.badValues())));
    Arbitrary<SourceRecord> elsewhere =
        Arbitraries.oneOf(
            text.injectNull(0.5).map(pos -> SourceRecord.stagedElsewhere(pos, List.of())),
            badValues.map(r -> SourceRecord.stagedElsewhere(r.position(), r.badValues())));
    return Arbitraries.oneOf(good, bad, badValues, folded, elsewhere).list().ofMaxSize(20);
  }

  /**
   * Replacements that stand for records without anything of their own (folded or staged elsewhere,
   * without a position or a nulled value) in a row: written as their count, a few bytes however
   * many, and read back as the records they stand for, among the others in order.
   */
  @Property(tries = 200)
  void plainReplacementsInARowAreWrittenAsTheirCount(
      @ForAll("records") List<SourceRecord> records, @ForAll long seed) {
    RecordCodec.Writer w = new RecordCodec.Writer();
    records.forEach(w::add);
    java.util.Random random = new java.util.Random(seed);
    List<SourceRecord> expected = new ArrayList<>();
    SourceRecord[] replace = new SourceRecord[records.size()];
    for (int i = 0; i < records.size(); i++) {
      int pick = random.nextInt(3);
      replace[i] =
          pick == 0
              ? null
              : pick == 1
                  ? SourceRecord.folded(null, List.of())
                  : SourceRecord.stagedElsewhere(null, List.of());
      expected.add(replace[i] == null ? records.get(i) : replace[i]);
    }
    RecordCodec.Writer again = w.replacing(i -> replace[i]);
    List<SourceRecord> back = back(again);
    assertSameRecords(back, expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(back.get(i).isStagedElsewhere()).isEqualTo(expected.get(i).isStagedElsewhere());
      assertThat(back.get(i).isFolded()).isEqualTo(expected.get(i).isFolded());
    }
    assertThat(again.folded()).isEqualTo(expected.stream().filter(SourceRecord::isFolded).count());
    // a thousand plain records in a row: a few bytes
    RecordCodec.Writer plain = new RecordCodec.Writer();
    for (int i = 0; i < 1000; i++) {
      plain.add(new SourceRecord(new Object[] {1L}, null));
    }
    RecordCodec.Writer thousand =
        plain.replacing(i -> SourceRecord.stagedElsewhere(null, List.of()));
    assertThat(thousand.bytes()).hasSizeLessThan(16);
    assertThat(back(thousand)).hasSize(1000).allMatch(SourceRecord::isStagedElsewhere);
  }
}
