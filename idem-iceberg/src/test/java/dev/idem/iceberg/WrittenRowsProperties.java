package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.iceberg.Versions.Candidate;
import dev.idem.iceberg.WindowPlan.Written;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * A window planned again keeps a slice's files only when the slice's new rows come out the same
 * ({@link Written#holdsTheSame}): by value, in order, a decimal's scale and a value's class
 * included; a window not sliced compares its rows, a sliced one the digest of them.
 */
class WrittenRowsProperties {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final int[] NONE = {};

  @Property(tries = 500)
  void aSliceHoldsTheSameRowsExactlyWhenTheyAreEqualInOrder(
      @ForAll("rows") List<Object[]> a,
      @ForAll("edits") List<Integer> edits,
      @ForAll boolean sliced) {
    List<Object[]> b = edited(a, edits);
    boolean equal = a.size() == b.size();
    for (int i = 0; equal && i < a.size(); i++) {
      equal = Arrays.equals(a.get(i), b.get(i));
    }
    Statistics.collect(equal ? "equal" : "different");
    assertThat(
            Written.of(SCHEMA, candidates(a), sliced)
                .holdsTheSame(Written.of(SCHEMA, candidates(b), sliced)))
        .isEqualTo(equal);
  }

  @Property(tries = 50)
  void anotherSchemaNeverHoldsTheSame(@ForAll("rows") List<Object[]> a, @ForAll boolean sliced) {
    Schema other = new Schema(Types.NestedField.optional(1, "id", Types.LongType.get()));
    assertThat(
            Written.of(SCHEMA, candidates(a), sliced)
                .holdsTheSame(Written.of(other, candidates(a), sliced)))
        .isFalse();
  }

  /** Rows of two values from a few each (longs, strings, decimals of two scales, NULL). */
  @Provide
  Arbitrary<List<Object[]>> rows() {
    Arbitrary<Object> value =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 3).map(Object.class::cast),
            Arbitraries.of("a", "b", "0").map(Object.class::cast),
            Arbitraries.of(new BigDecimal("1.0"), new BigDecimal("1.00")).map(Object.class::cast),
            Arbitraries.just(null));
    return value.array(Object[].class).ofSize(2).list().ofMaxSize(6);
  }

  /** Edits: 0 none, 1 swap the first two rows, 2 drop the last, 3 a value replaced. */
  @Provide
  Arbitrary<List<Integer>> edits() {
    return Arbitraries.integers().between(0, 3).list().ofMaxSize(2);
  }

  private static List<Object[]> edited(List<Object[]> a, List<Integer> edits) {
    List<Object[]> b = new ArrayList<>();
    a.forEach(r -> b.add(r.clone()));
    for (int e : edits) {
      if (e == 1 && b.size() > 1) {
        b.add(0, b.remove(1));
      } else if (e == 2 && !b.isEmpty()) {
        b.remove(b.size() - 1);
      } else if (e == 3 && !b.isEmpty()) {
        b.get(0)[1] = b.get(0)[1] instanceof String ? 1L : "a";
      }
    }
    return b;
  }

  private static List<Candidate> candidates(List<Object[]> rows) {
    return rows.stream().map(r -> new Candidate(r, false, NONE, NONE, NONE)).toList();
  }
}
