package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A reading task's sample of the rows it keeps ({@link FileTask.Sample}): at most so many rows,
 * every k-th of those offered (k a power of two), the first included, spread over all of them; and
 * a kept row's place numbers parts and records within their bounds ({@link SparkScattered#place}).
 */
class SampleTest {
  @Property(tries = 300)
  void aSampleIsEveryKthRowAtMostSoMany(
      @ForAll @IntRange(min = 0, max = 5000) int offered,
      @ForAll @IntRange(min = 1, max = 70) int most) {
    FileTask.Sample sample = new FileTask.Sample(most);
    for (long i = 0; i < offered; i++) {
      sample.offer(new Object[] {i});
    }
    List<Long> taken = new ArrayList<>();
    sample.rows.forEach(r -> taken.add((Long) r[0]));
    assertThat(taken).hasSizeLessThanOrEqualTo(most);
    if (offered == 0) {
      assertThat(taken).isEmpty();
      return;
    }
    assertThat(taken.get(0)).isZero();
    if (taken.size() == 1) {
      assertThat(most == 1 || offered == 1).isTrue();
      return;
    }
    long step = taken.get(1) - taken.get(0);
    assertThat(Long.bitCount(step)).isEqualTo(1); // a power of two
    List<Long> every = new ArrayList<>();
    for (long i = 0; i < offered; i += step) {
      every.add(i);
    }
    assertThat(taken).isEqualTo(every);
    // spread over all: no more than twice as few as it may hold, unless all rows are in it
    assertThat(taken.size()).isGreaterThanOrEqualTo(Math.min(offered, (most + 1) / 2));
  }

  @Test
  void aPlaceNumbersPartsAndRecordsWithinTheirBounds() {
    assertThat(SparkScattered.place(3, 5)).isEqualTo((3L << 28) | 5);
    long last =
        SparkScattered.place(SparkScattered.MOST_PARTS - 1, SparkScattered.MOST_RECORDS - 1);
    assertThat(SparkScattered.placeOf(SparkScattered.key(32_767, last))).isEqualTo(last);
    assertThat(SparkScattered.sliceOf(SparkScattered.key(32_767, last))).isEqualTo(32_767);
    assertThatThrownBy(() -> SparkScattered.place(SparkScattered.MOST_PARTS, 0))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SparkScattered.place(0, SparkScattered.MOST_RECORDS))
        .isInstanceOf(IllegalStateException.class);
  }
}
