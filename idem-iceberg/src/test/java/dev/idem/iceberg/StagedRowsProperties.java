package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever the keys (NULL among them), the rows held in memory, the most slices and the order the
 * slices are read in, a window's spilled rows come back whole: the slices one after another are the
 * rows sorted by key, each key's rows in the order they came and with their places; a key is in one
 * slice; each slice ends at the first key that reaches its share of the rows. Rows without a key
 * come back in the order they came, each slice its share.
 */
class StagedRowsProperties {
  private static int byKey(Object[] a, Object[] b) {
    return Versions.compare(a[0], b[0]);
  }

  @Provide
  Arbitrary<Long> keys() {
    return Arbitraries.longs().between(0, 15).injectNull(0.05);
  }

  @Property(tries = 300)
  void slicesReadInAnyOrderAreTheRowsSortedByKeyCutAtKeys(
      @ForAll @Size(max = 120) List<@From("keys") Long> keys,
      @ForAll @IntRange(min = 0, max = 10) int memoryRows,
      @ForAll @IntRange(min = 1, max = 8) int maxSlices,
      @ForAll @IntRange(min = 2, max = 5) int fanIn,
      @ForAll boolean keyless,
      @ForAll long seed)
      throws IOException {
    Path tmp = Files.createTempDirectory("staged-rows");
    try {
      // each row: its key and the place it came in (as a value, to compare with the place read)
      List<Object[]> rows = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        rows.add(new Object[] {keys.get(i), "row " + i});
      }
      List<Object[]> sorted = new ArrayList<>(rows);
      if (!keyless) {
        sorted.sort(StagedRowsProperties::byKey); // stable: a key's rows in the order they came
      }
      try (StagedRows staged =
          new StagedRows(
              keyless ? null : StagedRowsProperties::byKey, memoryRows, maxSlices, fanIn, tmp)) {
        rows.forEach(staged::add);
        int count = rows.size();
        assertThat(staged.spilled()).isEqualTo(count > memoryRows);
        Statistics.label("spilled").collect(staged.spilled());
        Statistics.label("spilled").coverage(c -> c.check(true).percentage(p -> p > 50));
        int slices = staged.slices();
        if (!staged.spilled()) {
          assertThat(slices).isEqualTo(1);
          return;
        }
        assertThat(slices)
            .isEqualTo(
                Math.min(
                    maxSlices, (count + Math.max(1, memoryRows) - 1) / Math.max(1, memoryRows)));
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
          order.add(s);
        }
        Collections.shuffle(order, new Random(seed));
        order.add(order.get(0)); // one read twice
        List<List<String>> read = new ArrayList<>(Collections.nCopies(slices, null));
        for (int s : order) {
          List<String> slice = new ArrayList<>();
          staged.forEach(
              s,
              (at, row) -> {
                assertThat(row[1]).isEqualTo("row " + at);
                slice.add(row[0] + "|" + row[1]);
              });
          if (read.get(s) != null) {
            assertThat(slice).isEqualTo(read.get(s));
          }
          read.set(s, slice);
        }
        List<String> all = read.stream().flatMap(List::stream).toList();
        assertThat(all).isEqualTo(sorted.stream().map(r -> r[0] + "|" + r[1]).toList());
        long through = 0;
        String lastKey = null;
        for (int s = 0; s < slices; s++) {
          List<String> slice = read.get(s);
          through += slice.size();
          long share = (long) count * (s + 1) / slices;
          if (keyless) {
            assertThat(through).as("without a key, cut at the share").isEqualTo(share);
            continue;
          }
          if (!slice.isEmpty()) {
            String first = key(slice.get(0));
            assertThat(first).as("a key in one slice").isNotEqualTo(lastKey);
            lastKey = key(slice.get(slice.size() - 1));
          }
          if (s < slices - 1) {
            assertThat(through).isGreaterThanOrEqualTo(share);
            if (!slice.isEmpty()) {
              String last = lastKey;
              long ofLastKey = slice.stream().filter(r -> key(r).equals(last)).count();
              assertThat(through - ofLastKey)
                  .as("cut at the first key past its share")
                  .isLessThan(share);
            }
          }
        }
        Statistics.label("runs merged before reading")
            .collect(count > fanIn * (memoryRows + 1) ? "yes" : "no");
        Statistics.label("runs merged before reading")
            .coverage(c -> c.check("yes").percentage(p -> p > 30));
      }
      try (Stream<Path> left = Files.list(tmp)) {
        assertThat(left).isEmpty(); // the spilled rows deleted once closed
      }
    } finally {
      try (Stream<Path> all = Files.walk(tmp)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String key(String row) {
    return row.substring(0, row.indexOf('|'));
  }
}
