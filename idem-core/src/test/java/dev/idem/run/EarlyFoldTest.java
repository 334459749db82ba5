package dev.idem.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.destination.RowFold;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.OnBadValue;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.BadValue;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a reader folding early returns for each record: the records the runner would not stage as
 * they are, a key's losers as folded records, which name the values nulled in them with their
 * position (the runner records those as for a staged row), and a key let go (more keys than held)
 * started over.
 */
class EarlyFoldTest {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("version", DataType.INTEGER),
          Column.of("note", DataType.STRING),
          Column.of("amount", DataType.INTEGER));

  /** Keeps the greatest version of an id; of equal versions the first. */
  private static final RowFold GREATEST_VERSION =
      new RowFold() {
        @Override
        public Object key(Object[] staged) {
          return staged[0];
        }

        @Override
        public boolean replaces(Object[] later, Object[] kept) {
          return (Long) later[1] > (Long) kept[1];
        }
      };

  private static Pipeline pipeline() {
    return Pipeline.builder("early")
        .source(new NoRecords())
        .windows(WindowSpec.full())
        .table("early")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        // note's bad values are nulled, amount's make the record a dead letter
        .badRecords(
            new BadRecordPolicy(10, null, OnBadValue.DEAD_LETTER, Map.of("note", OnBadValue.NULL)))
        .build();
  }

  private static SourceRecord row(long id, long version, String at) {
    return new SourceRecord(new Object[] {id, version, "n", 1L}, at);
  }

  private static SourceRecord badValue(long id, long version, String column, String at) {
    Object[] values = {id, version, column.equals("note") ? null : "n", null};
    if (column.equals("note")) {
      values[3] = 1L;
    }
    return SourceRecord.withBadValues(
        values, at, "raw " + at, List.of(new BadValue(column, "x", column + " is not valid")));
  }

  private static List<SourceRecord> returned(List<SourceRecord> records, int keys) {
    EarlyFold fold = new EarlyFold(pipeline(), GREATEST_VERSION, keys, records::get);
    records.forEach(fold::add);
    List<SourceRecord> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      SourceRecord r = fold.replacement(i);
      out.add(r == null ? records.get(i) : r);
    }
    return out;
  }

  @Test
  void losersAreFoldedAndNameTheirNulledValuesOthersComeAsTheyAre() {
    List<SourceRecord> in =
        List.of(
            badValue(1, 1, "note", "f:1"), // nulled, staged; loses to f:4
            row(2, 5, "f:2"), // kept: key 2's greatest
            badValue(1, 9, "amount", "f:3"), // a dead letter: not staged, never folded
            row(1, 3, "f:4"), // kept: key 1's greatest staged
            SourceRecord.bad("f:5", "x,y", "not a record"),
            row(2, 5, "f:6"), // loses: equal to f:2, the first is kept
            badValue(2, 4, "note", "f:7")); // nulled, loses at once
    List<SourceRecord> out = returned(in, 10);

    assertThat(out.get(0).isFolded()).isTrue();
    assertThat(out.get(0).position()).isEqualTo("f:1");
    assertThat(out.get(0).badValues()).isEqualTo(in.get(0).badValues());
    assertThat(out.get(1)).isSameAs(in.get(1));
    assertThat(out.get(2)).isSameAs(in.get(2));
    assertThat(out.get(3)).isSameAs(in.get(3));
    assertThat(out.get(4)).isSameAs(in.get(4));
    assertThat(out.get(5).isFolded()).isTrue();
    assertThat(out.get(5).badValues()).isEmpty();
    assertThat(out.get(6).isFolded()).isTrue();
    assertThat(out.get(6).position()).isEqualTo("f:7");
    assertThat(out.get(6).badValues()).isEqualTo(in.get(6).badValues());
  }

  @Test
  void aKeyLetGoStartsOverAndItsEarlierWinnerStaysReturned() {
    List<SourceRecord> in =
        List.of(row(1, 1, "f:1"), row(2, 1, "f:2"), row(1, 2, "f:3"), row(1, 3, "f:4"));
    // holding one key: key 2 lets key 1 go, so f:1 is returned; f:3 starts key 1 over and loses
    // to f:4
    List<SourceRecord> out = returned(in, 1);
    assertThat(out).extracting(SourceRecord::isFolded).containsExactly(false, false, true, false);
    // holding two: f:1 and f:3 lose to f:4
    assertThat(returned(in, 2))
        .extracting(SourceRecord::isFolded)
        .containsExactly(true, false, true, false);
  }

  @Test
  void aPipelineWithRowFunctionsIsNotFoldedEarly() {
    Pipeline withFunction =
        Pipeline.builder("early")
            .source(new NoRecords())
            .windows(WindowSpec.full())
            .table("early")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .rowFunction("same", (values, context) -> values)
            .build();
    assertThatThrownBy(() -> new EarlyFold(withFunction, GREATEST_VERSION, 1, i -> null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The pipeline's source: only its schema matters here. */
  private static final class NoRecords implements Source {
    @Override
    public Schema schema() {
      return SCHEMA;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return List.of(Window.full());
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      return RecordReader.empty();
    }

    @Override
    public String describe() {
      return "no records";
    }
  }
}
