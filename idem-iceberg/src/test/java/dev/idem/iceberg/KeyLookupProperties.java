package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.apache.iceberg.types.Comparators;

/**
 * Whatever string keys a table holds (characters above U+FFFF and between U+E000 and U+FFFF, whose
 * order differs between Java and Iceberg's statistics; keys longer than the 16 characters Iceberg
 * keeps of their bounds, with long common prefixes), spread over several data files, a later window
 * of some of them and new ones, of up to 200 keys (an {@code in} filter) or more (their range),
 * held whole or spilled in slices of their range, finds every key the table holds: each key is in
 * the table once, with the later window's values where it had it.
 */
class KeyLookupProperties {
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("k", DataType.STRING),
          Column.of("v", DataType.STRING),
          Column.of("at", DataType.TIMESTAMP));
  private static final LocalDateTime FIRST = LocalDateTime.parse("2024-03-01T10:00:00");

  @Provide
  Arbitrary<String> key() {
    Arbitrary<String> tail =
        Arbitraries.of(0x61, 0x7A, 0xFF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF)
            .list()
            .ofMinSize(1)
            .ofMaxSize(4)
            .map(
                cps ->
                    new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
    Arbitrary<String> prefix =
        Arbitraries.of("", "", "a-prefix-of-more-than-16-chars-", "\uFFFF".repeat(17));
    return Combinators.combine(prefix, tail).as((p, t) -> p + t);
  }

  @Provide
  Arbitrary<List<String>> held() {
    return key()
        .list()
        .ofMinSize(1)
        .ofMaxSize(600)
        .uniqueElements()
        .withSizeDistribution(RandomDistribution.uniform());
  }

  @Provide
  Arbitrary<List<String>> fresh() {
    return key().list().ofMaxSize(100).withSizeDistribution(RandomDistribution.uniform());
  }

  @Property(tries = 20)
  void everyKeyTheTableHoldsIsFound(
      @ForAll("held") List<String> held,
      @ForAll @IntRange(min = 0, max = 400) int picked,
      @ForAll @IntRange(min = 0, max = 599) int start,
      @ForAll("fresh") List<String> fresh,
      @ForAll boolean many,
      @ForAll boolean spill)
      throws IOException {
    Map<String, String> expected = new HashMap<>();
    ListSource s = new ListSource(SCHEMA);
    List<Object[]> rows = new ArrayList<>();
    // in six day windows of key ranges (by code point, Iceberg's order), a data file each, so that
    // the statistics tell files apart; the window's keys are taken from a run of that order
    held = new ArrayList<>(held);
    held.sort(Comparators.charSequences());
    for (int i = 0; i < held.size(); i++) {
      rows.add(new Object[] {held.get(i), "first", FIRST.plusDays(i * 6L / held.size())});
      expected.put(held.get(i), "first");
    }
    s.replaceAll(rows);
    Pipeline p =
        Pipeline.builder("keys")
            .version("1")
            .source(s)
            .table("keys")
            .strategy(WriteStrategy.MERGE)
            .key(KeySpec.columns("k"))
            .orderBy("at")
            .windows(WindowSpec.day("at", ZoneOffset.UTC))
            .build();
    Path dir = Files.createTempDirectory("key-lookup");
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      run(d, p);
      // a later window: some of the table's keys and some new ones, on a later day
      List<Object[]> later = new ArrayList<>(rows);
      Set<String> window = new LinkedHashSet<>();
      for (int i = 0; i < Math.min(picked, held.size()); i++) { // some of the table's keys
        window.add(held.get((start + i) % held.size()));
      }
      window.addAll(fresh);
      for (int i = 0; many && window.size() <= 200; i++) {
        window.add("new-" + i); // past an in filter's 200 keys: looked up by their range
      }
      for (String k : window) {
        later.add(new Object[] {k, "second", FIRST.plusDays(9)});
        expected.put(k, "second");
      }
      s.replaceAll(later);
      if (spill) {
        try (Spill sp = Spill.set(window.size() / 3, 64)) {
          run(d, p);
        }
      } else {
        run(d, p);
      }
      Statistics.label("window's keys")
          .collect(window.size() > 200 ? "more than 200" : "200 or fewer");
      Statistics.label("window's keys")
          .coverage(c -> c.check("more than 200").percentage(x -> x > 30));
      Map<String, String> found = new HashMap<>();
      for (String row : d.tableRows("keys")) { // "k=...|v=...|..."
        Map<String, String> fields = new HashMap<>();
        for (String f : row.split("\\|", -1)) {
          fields.put(f.substring(0, f.indexOf('=')), f.substring(f.indexOf('=') + 1));
        }
        // a key found twice keeps both values: the map differs from the expected one
        found.merge(fields.get("k"), fields.get("v"), (a, b) -> a + "," + b);
      }
      Map<String, String> wrong = new HashMap<>(found); // the keys whose values are not expected
      wrong.entrySet().removeIf(e -> e.getValue().equals(expected.get(e.getKey())));
      assertThat(wrong).as("keys found twice or with other values").isEmpty();
      assertThat(found).hasSameSizeAs(expected);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static void run(IcebergDestination d, Pipeline p) throws IOException {
    RunReport r =
        new Runner(d, RunServices.defaults())
            .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
    assertThat(r.ok()).as(r.toString()).isTrue();
  }
}
