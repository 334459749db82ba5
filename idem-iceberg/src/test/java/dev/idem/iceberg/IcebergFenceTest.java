package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Completion;
import dev.idem.destination.FencedException;
import dev.idem.destination.WindowWrite;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Iceberg commit as a fence, between two destinations on their own catalog connections (two
 * processes' views of one warehouse), and snapshot isolation for a reader.
 */
class IcebergFenceTest {
  private static final Schema ROWS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("generation", DataType.INTEGER),
          Column.of("at", DataType.TIMESTAMP));
  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T00:00:00Z"));

  /** The warehouse and catalog every destination of one test shares. */
  IcebergSettings settings() {
    return IcebergSettings.local(dir.resolve("warehouse"), "idem");
  }

  IcebergDestination open(String owner) {
    return new IcebergDestination(
        settings(), RunServices.defaults().withClock(clock).withOwner(owner).withLeaseTtl(TTL));
  }

  static Pipeline pipeline(WriteStrategy strategy) {
    Pipeline.Builder b =
        Pipeline.builder("fence")
            .version("1")
            .source(new ListSource(ROWS))
            .table("fenced")
            .strategy(strategy)
            .windows(WindowSpec.day("at", ZoneOffset.UTC));
    if (strategy == WriteStrategy.MERGE) {
      b.key(KeySpec.columns("id"));
    }
    return b.build();
  }

  /**
   * Writes {@code n} rows of {@code generation} into {@code window} under {@code lease}; prepared.
   */
  private static WindowWrite prepared(
      IcebergDestination d, Pipeline p, Lease lease, int generation, int n) {
    WindowWrite w =
        d.begin(
            p,
            lease,
            new RunContext(
                p.name(), "1", p.windows().window(lease.windowId()), null, "run-" + generation));
    LocalDateTime at = LocalDateTime.parse(lease.windowId() + "T12:00:00");
    for (int i = 0; i < n; i++) {
      w.add(new Object[] {(long) i, (long) generation, at});
    }
    w.prepare(new Completion("fp-" + generation, p.definitionHash(), n, 0, 0));
    return w;
  }

  List<Record> read(String table) throws Exception {
    try (CatalogHandle c = new CatalogHandle(open("reader").settings())) {
      Table t = c.load(TableIdentifier.of("idem", table));
      List<Record> out = new ArrayList<>();
      try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
        it.forEach(r -> out.add(r.copy()));
      }
      return out;
    }
  }

  @Test
  void twoRunnersCommittingTheSameWindowLandExactlyOnce() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE);
    try (IcebergDestination zombie = open("a");
        IcebergDestination taker = open("b")) {
      zombie.prepare(p);
      taker.prepare(p);
      Lease first = zombie.ledger().claim("fence", "2024-03-01", "a", TTL).orElseThrow();
      WindowWrite late = prepared(zombie, p, first, 1, 10);
      clock.advance(TTL.plusSeconds(1)); // the zombie stalls past its lease
      Lease second = taker.ledger().claim("fence", "2024-03-01", "b", TTL).orElseThrow();
      assertThat(second.token()).isGreaterThan(first.token());
      WindowWrite current = prepared(taker, p, second, 2, 7);

      // both hold a prepared commit of the same window built on the same table; the zombie's
      // Iceberg commit would re-apply cleanly on the new metadata, but its ledger moved
      assertThatThrownBy(late::commit).isInstanceOf(FencedException.class);
      current.commit();
      late.close();
      current.close();

      assertThat(read("fenced"))
          .hasSize(7)
          .allSatisfy(r -> assertThat(r.getField("generation")).isEqualTo(2L));
      assertThat(taker.ledger().state("fence", "2024-03-01").orElseThrow())
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(WindowStatus.DONE);
                assertThat(s.token()).isEqualTo(second.token());
                assertThat(s.counts().targetRows()).isEqualTo(7);
              });
    }
  }

  @Test
  void runnersOfOtherWindowsCommittingAtOnceBothLand() throws Exception {
    Pipeline p = pipeline(WriteStrategy.REPLACE_WINDOW);
    try (IcebergDestination a = open("a");
        IcebergDestination b = open("b")) {
      a.prepare(p);
      b.prepare(p);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 5; round++) {
          Lease la =
              a.ledger().claim("fence", "2024-03-0" + (round % 4 + 1), "a", TTL).orElseThrow();
          Lease lb =
              b.ledger().claim("fence", "2024-04-0" + (round % 4 + 1), "b", TTL).orElseThrow();
          WindowWrite wa = prepared(a, p, la, round, 5);
          WindowWrite wb = prepared(b, p, lb, round, 6);
          CountDownLatch go = new CountDownLatch(1);
          Future<?> fa =
              pool.submit(
                  () -> {
                    go.await();
                    wa.commit();
                    return null;
                  });
          Future<?> fb =
              pool.submit(
                  () -> {
                    go.await();
                    wb.commit();
                    return null;
                  });
          go.countDown();
          fa.get(60, TimeUnit.SECONDS);
          fb.get(60, TimeUnit.SECONDS);
          wa.close();
          wb.close();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.ledger().states("fence"))
          .hasSize(8)
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(WindowStatus.DONE));
      // the last round wrote 2024-03-01 (5 rows) and 2024-04-01 (6 rows); the others hold round
      // 1..3
      assertThat(read("fenced")).hasSize(4 * 5 + 4 * 6);
    }
  }

  @Test
  void aReaderDuringTwentyWindowReplacesSeesOnlyWholeSnapshots() throws Exception {
    Pipeline p = pipeline(WriteStrategy.REPLACE_WINDOW);
    try (IcebergDestination d = open("w")) {
      d.prepare(p);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<String> seen = new ArrayList<>();
      CatalogHandle catalog = new CatalogHandle(d.settings());
      Table table = catalog.load(TableIdentifier.of("idem", "fenced"));
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (writing.get()) {
                    table.refresh();
                    List<Record> rows = new ArrayList<>();
                    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
                      it.forEach(r -> rows.add(r.copy()));
                    }
                    long generations =
                        rows.stream().map(r -> r.getField("generation")).distinct().count();
                    synchronized (seen) {
                      seen.add(rows.size() + " rows of " + generations + " generation(s)");
                    }
                  }
                } catch (Exception e) {
                  synchronized (seen) {
                    seen.add("reader failed: " + e);
                  }
                }
              });
      reader.start();
      for (int g = 1; g <= 20; g++) {
        Lease lease = d.ledger().claim("fence", "2024-03-01", "w", TTL).orElseThrow();
        try (WindowWrite w = prepared(d, p, lease, g, 10 + g % 3)) {
          w.commit();
        }
      }
      writing.set(false);
      reader.join(60_000);
      catalog.close();
      synchronized (seen) {
        assertThat(seen).isNotEmpty();
        // every read is empty (before the first commit) or one whole generation: 10, 11 or 12 rows
        assertThat(seen)
            .allMatch(
                s ->
                    s.equals("0 rows of 0 generation(s)")
                        || s.matches("1[012] rows of 1 generation\\(s\\)"),
                "whole snapshots only");
      }
    }
  }
}
