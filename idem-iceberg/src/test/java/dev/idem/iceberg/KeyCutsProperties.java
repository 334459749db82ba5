package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.Workers;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;
import org.junit.jupiter.api.Test;

/**
 * The slices of rows kept where they were read, cut at the keys of a weighted sample ({@link
 * KeyCuts}): ranges of keys in key order (all rows of a key in one), no more than asked for, and as
 * even as the sample allows: each slice holds the rows its sampled rows stand for up to its share
 * of all of them, and one sampled row's more.
 */
class KeyCutsProperties {
  private static final KeyFold FOLD = fold();

  @Property(tries = 500)
  void slicesAreRangesOfKeysOfAboutEvenShares(
      @ForAll @Size(min = 1, max = 60) @UniqueElements
          List<@LongRange(min = 0, max = 1000) Long> keys,
      @ForAll @Size(min = 60, max = 60) List<@IntRange(min = 1, max = 500) Integer> weights,
      @ForAll @IntRange(min = 1, max = 9) int slices) {
    List<Workers.Sampled> sample = new ArrayList<>();
    long total = 0;
    long most = 0;
    for (int i = 0; i < keys.size(); i++) {
      sample.add(new Workers.Sampled(row(keys.get(i)), weights.get(i)));
      total += weights.get(i);
      most = Math.max(most, weights.get(i));
    }
    KeyCuts cuts = KeyCuts.of(sample, slices, FOLD);
    assertThat(cuts.slices()).isBetween(1, Math.min(slices, keys.size()));
    // by key: each slice a range, in order
    TreeMap<Long, Integer> byKey = new TreeMap<>();
    for (long k : keys) {
      byKey.put(k, cuts.slice(row(k)));
    }
    int before = 0;
    for (int s : byKey.values()) {
      assertThat(s).isBetween(before, cuts.slices() - 1);
      before = s;
    }
    // each slice's sampled weight within its share and one sampled row's more
    long[] held = new long[cuts.slices()];
    for (Workers.Sampled s : sample) {
      held[cuts.slice(s.row())] += s.weight();
    }
    for (long h : held) {
      assertThat(h).isLessThanOrEqualTo(total / slices + 2 * most);
    }
    // any key, sampled or not, falls in the slice of the range it is in
    for (long k = -1; k <= 1001; k += 7) {
      Long below = byKey.floorKey(k);
      assertThat(cuts.slice(row(k))).isEqualTo(below == null ? 0 : byKey.get(below));
    }
  }

  /**
   * A part of many rows sampled as few, each standing for many, weighs as much as the rows it
   * stands for: the slices cut its keys, not only those of many small parts' rows.
   */
  @Test
  void aHeavilyWeightedPartsKeysAreCutToo() {
    List<Workers.Sampled> sample = new ArrayList<>();
    for (long k = 0; k < 100; k++) {
      sample.add(new Workers.Sampled(row(k), 1)); // a hundred parts of a row each
    }
    for (long k = 1000; k < 1010; k++) {
      sample.add(new Workers.Sampled(row(k), 100_000)); // a part of a million rows
    }
    KeyCuts cuts = KeyCuts.of(sample, 4, FOLD);
    assertThat(cuts.slices()).isEqualTo(4);
    assertThat(cuts.slice(row(99))).isZero();
    assertThat(cuts.slice(row(1009))).isEqualTo(3);
    assertThat(cuts.slice(row(1004))).isBetween(1, 2);
  }

  /**
   * How many slices kept rows are cut into: one a task the workers run at once, of the least rows a
   * slice, more as the rows a slice holds at the most require, at most {@code -Didem.window.slices}
   * and 32,767.
   */
  @Test
  void keptRowsAreCutIntoAsManySlicesAsTheirRowsAndTheWorkersTake() {
    assertThat(WindowPlan.scatteredSlices(0, 8)).isEqualTo(1);
    assertThat(WindowPlan.scatteredSlices(150_000, 8)).isEqualTo(1);
    assertThat(WindowPlan.scatteredSlices(450_000, 8)).isEqualTo(4);
    assertThat(WindowPlan.scatteredSlices(450_000, 2)).isEqualTo(2);
    assertThat(WindowPlan.scatteredSlices(10_500_000, 2)).isEqualTo(11);
    assertThat(WindowPlan.scatteredSlices(100_000_000_000L, 2)).isEqualTo(4096);
    String before = System.setProperty(StagedRows.SLICES, "100000");
    try {
      assertThat(WindowPlan.scatteredSlices(100_000_000_000L, 2)).isEqualTo(32_767);
    } finally {
      if (before == null) {
        System.clearProperty(StagedRows.SLICES);
      } else {
        System.setProperty(StagedRows.SLICES, before);
      }
    }
  }

  private static Object[] row(long key) {
    return new Object[] {key, "v"};
  }

  private static KeyFold fold() {
    Pipeline p =
        Pipeline.builder("cuts")
            .version("1")
            .source(
                new ListSource(
                    Schema.of(Column.of("id", DataType.INTEGER), Column.of("v", DataType.STRING))))
            .table("t")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("id"))
            .windows(WindowSpec.full())
            .build();
    return new KeyFold(p, TableSchema.of(p));
  }
}
