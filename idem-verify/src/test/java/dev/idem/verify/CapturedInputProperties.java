package dev.idem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The changed copy of a captured window for the {@code changed-input} check: a value is looked for
 * across the window's records, not in its last one only, and the window is said to have none only
 * when no good record has one. A column of a hash key is changed only when no record has another.
 */
class CapturedInputProperties {
  /**
   * id is a key column (never changed), h a field of a hash key (changed only when nothing else can
   * be).
   */
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("amount", DataType.parse("decimal(12,2)")),
          Column.of("name", DataType.STRING),
          Column.of("h", DataType.STRING));

  private static final Set<String> KEEP = Set.of("id");
  private static final Set<String> HASH_FIELDS = Set.of("h");
  private static final String WINDOW = Window.full().id();

  /** A record to capture: null stands for a bad record. */
  @SuppressWarnings(
      "ArrayRecordComponent") // never compared: the properties compare what was captured, value by
  // value
  record Row(Object[] values) {
    boolean bad() {
      return values == null;
    }

    @Override
    public String toString() {
      return bad() ? "bad" : Arrays.toString(values);
    }
  }

  @Example
  void aLastRecordWithoutValuesDoesNotHideAnEarlierOne() {
    Optional<Object[][]> changed =
        change(List.of(good(1L, new BigDecimal("5.00"), "a", null), good(2L, null, null, null)));
    assertThat(changed).isPresent();
    assertThat(changed.get()[0]).containsExactly(1L, new BigDecimal("6.00"), "a", null);
    assertThat(changed.get()[1]).containsExactly(2L, null, null, null);
  }

  @Example
  void aHashFieldIsChangedOnlyWhenNoRecordHasAnotherValue() {
    Optional<Object[][]> changed =
        change(List.of(good(1L, null, "a", "x"), good(2L, null, null, "y"), new Row(null)));
    assertThat(changed).isPresent();
    assertThat(changed.get()[0]).containsExactly(1L, null, "a (changed by idem verify)", "x");
    assertThat(changed.get()[1]).containsExactly(2L, null, null, "y");

    changed = change(List.of(good(1L, null, null, "x"), good(2L, null, null, null)));
    assertThat(changed).isPresent();
    assertThat(changed.get()[0]).containsExactly(1L, null, null, "x (changed by idem verify)");
  }

  @Example
  void aWindowWithoutAnyValueToChangeHasNone() {
    assertThat(
            change(List.of(good(1L, null, null, null), new Row(null), good(2L, null, null, null))))
        .isEmpty();
    assertThat(change(List.of(new Row(null)))).isEmpty();
    assertThat(change(List.of())).isEmpty();
  }

  /**
   * Exactly one value of the window changes: the first changeable column of the last record that
   * has one.
   */
  @Property(tries = 300)
  void oneValueOfTheLastRecordThatHasOneChanges(@ForAll("windows") List<Row> rows) {
    // what is expected, by a plain scan: first any record's amount or name, else any record's h
    int at = -1;
    int column = -1;
    for (int pass = 0; pass < 2 && at < 0; pass++) {
      for (int i = rows.size() - 1; i >= 0 && at < 0; i--) {
        Object[] v = rows.get(i).values();
        if (v == null) {
          continue;
        }
        int c = pass == 0 ? (v[1] != null ? 1 : v[2] != null ? 2 : -1) : (v[3] != null ? 3 : -1);
        if (c >= 0) {
          at = i;
          column = c;
        }
      }
    }

    Optional<Object[][]> changed = change(rows);

    if (at < 0) {
      assertThat(changed).as("no good record has a value to change").isEmpty();
      return;
    }
    assertThat(changed).as("a value to change exists in record %d", at).isPresent();
    Object[][] after = changed.get();
    assertThat(after.length).isEqualTo(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Object[] before = rows.get(i).values();
      if (before == null) {
        assertThat(after[i]).as("bad record %d", i).isNull();
        continue;
      }
      for (int c = 0; c < before.length; c++) {
        Object expected = before[c];
        if (i == at && c == column) {
          expected =
              c == 1
                  ? ((BigDecimal) before[c]).add(BigDecimal.ONE)
                  : before[c] + " (changed by idem verify)";
        }
        assertThat(after[i][c]).as("record %d column %d", i, c).isEqualTo(expected);
      }
    }
  }

  @Provide
  Arbitrary<List<Row>> windows() {
    Arbitrary<BigDecimal> amount =
        Arbitraries.bigDecimals()
            .between(BigDecimal.ZERO, new BigDecimal("9999"))
            .ofScale(2)
            .injectNull(0.6);
    Arbitrary<String> text = Arbitraries.strings().alpha().ofMaxLength(5).injectNull(0.6);
    Arbitrary<Row> good =
        Combinators.combine(Arbitraries.longs().between(1, 100), amount, text, text)
            .as((id, a, n, h) -> new Row(new Object[] {id, a, n, h}));
    return Arbitraries.frequencyOf(Tuple.of(5, good), Tuple.of(1, Arbitraries.just(new Row(null))))
        .list()
        .ofMaxSize(8);
  }

  private static Row good(Object... values) {
    return new Row(values);
  }

  /**
   * Captures the rows as one window and changes one value; the changed window's values (null for a
   * bad record).
   */
  private static Optional<Object[][]> change(List<Row> rows) {
    ListSource source = new ListSource(SCHEMA);
    for (Row r : rows) {
      if (r.bad()) {
        source.addBad(null, "garbage", "not a record");
      } else {
        source.add(r.values());
      }
    }
    try (CapturedInput input =
        CapturedInput.capture(source, WindowSpec.full(), List.of(Window.full()))) {
      Optional<CapturedInput.Changed> changed =
          input.withOneValueChanged(WINDOW, KEEP, HASH_FIELDS);
      if (changed.isEmpty()) {
        return Optional.empty();
      }
      try (CapturedInput other = changed.get().input()) {
        assertThat(input.read(WINDOW)).as("the original is left as captured").hasSize(rows.size());
        return Optional.of(
            other.read(WINDOW).stream()
                .map(r -> r.isBad() ? null : r.values())
                .toArray(Object[][]::new));
      }
    }
  }
}
