package dev.idem.jdbc.dialect.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The dedup rule on a real DuckDB: whatever the arrival order of records, within a window and
 * across windows, the table is the same; it holds one row per key, and that row is the greatest
 * version by (order column, then the other columns).
 */
class DedupProperties {
  private static Path dir;
  private static final Schema SCHEMA =
      Schema.of(
          Column.of("k", DataType.INTEGER),
          Column.of("v", DataType.STRING),
          Column.of("ts", DataType.TIMESTAMP));

  @BeforeContainer
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("idem-dedup");
  }

  @AfterContainer
  static void removeDir() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Provide
  Arbitrary<List<Object[]>> records() {
    Arbitrary<Object[]> record =
        Combinators.combine(
                Arbitraries.longs().between(1, 6),
                Arbitraries.of("a", "b", "c", "it's", "ı"),
                Arbitraries.integers().between(0, 3), // few distinct times: ties are common
                Arbitraries.integers().between(1, 3)) // day
            .as((k, v, hour, day) -> new Object[] {k, v, LocalDateTime.of(2024, 3, day, hour, 0)});
    return record.list().ofMinSize(1).ofMaxSize(25);
  }

  private static List<String> load(List<Object[]> records, String file, boolean windowsInReverse) {
    ListSource source = new ListSource(SCHEMA).replaceAll(records);
    Pipeline p =
        Pipeline.builder("dedup")
            .source(source)
            .windows(WindowSpec.day("ts", ZoneOffset.UTC))
            .table("t")
            .key(KeySpec.columns("k"))
            .orderBy("ts")
            .strategy(WriteStrategy.MERGE)
            .build();
    try (JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve(file),
            new Properties(),
            RunServices.defaults(),
            Duration.ofSeconds(5))) {
      Runner runner = new Runner(d, RunServices.defaults());
      var windows = new ArrayList<>(source.windows(p.windows()));
      if (windowsInReverse) {
        Collections.reverse(windows);
      }
      for (var w : windows) {
        assertThat(runner.run(p, List.of(w), RunOptions.defaults("r")).ok()).isTrue();
      }
      return TableSnapshot.rows(d, "t").stream()
          .map(r -> r.replaceAll("\\|_idem_window=.*", ""))
          .collect(Collectors.toList());
    }
  }

  @Property(tries = 40)
  void arrivalOrderNeverMatters(@ForAll("records") List<Object[]> records, @ForAll long seed) {
    List<Object[]> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(seed));
    String id = Long.toHexString(seed) + "-" + System.nanoTime();
    List<String> inOrder = load(records, "a-" + id + ".duckdb", false);
    List<String> reordered = load(shuffled, "b-" + id + ".duckdb", true);
    assertThat(reordered).isEqualTo(inOrder);

    // one row per key, holding the greatest (ts, v) of that key
    assertThat(inOrder).hasSize((int) records.stream().map(r -> r[0]).distinct().count());
    for (Object key : records.stream().map(r -> r[0]).distinct().toList()) {
      Object[] best =
          records.stream()
              .filter(r -> r[0].equals(key))
              .max(
                  (x, y) -> {
                    int c = ((LocalDateTime) x[2]).compareTo((LocalDateTime) y[2]);
                    return c != 0 ? c : ((String) x[1]).compareTo((String) y[1]);
                  })
              .orElseThrow();
      assertThat(inOrder)
          .contains(
              "k="
                  + key
                  + "|v="
                  + best[1]
                  + "|ts="
                  + best[2].toString().replace('T', ' ')
                  + ":00.0");
    }
  }
}
