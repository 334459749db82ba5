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
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
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
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableOperations;
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
  /** Of two tombstones of one key, the first (this test's tombstones are markers, not versions). */
  private static LedgerState.Tombstone first(LedgerState.Tombstone a, LedgerState.Tombstone b) {
    return a;
  }

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
   * A pipeline whose source holds {@code rows} rows of generation 1 over the first {@code days}.
   */
  static Pipeline pipeline(WriteStrategy strategy, int rows, int days) {
    Pipeline p = pipeline(strategy);
    ListSource source = (ListSource) p.source();
    for (long i = 0; i < rows; i++) {
      source.add(i, 1L, LocalDateTime.parse("2024-03-0" + (i % days + 1) + "T10:00:00"));
    }
    return p;
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

  /** Rounds of {@link #runnersOfOtherWindowsCommittingAtOnceBothLand}. */
  int rounds() {
    return 5;
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
        for (int round = 0; round < rounds(); round++) {
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
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(WindowStatus.DONE));
      // each round wrote 2024-03-0N (5 rows) and 2024-04-0N (6 rows), N = round % 4 + 1
      int days = Math.min(rounds(), 4);
      assertThat(a.ledger().states("fence")).hasSize(2 * days);
      assertThat(read("fenced")).hasSize(days * 5 + days * 6);
    }
  }

  @Test
  void aRunRepeatedLeavesTheTableAsOneRunDid() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE, 6, 3);
    try (IcebergDestination d = open("r")) {
      RunReport first = run(d, p, "r1");
      assertThat(first.ok()).as(first.toString()).isTrue();
      assertThat(first.outcomes()).hasSize(3);
      List<String> rows = d.tableRows("fenced");
      assertThat(rows).hasSize(6);
      RunReport again = run(d, p, "r2");
      assertThat(again.outcomes())
          .allSatisfy(o -> assertThat(o.result()).isEqualTo(WindowOutcome.Result.UNCHANGED));
      assertThat(d.tableRows("fenced")).isEqualTo(rows);
    }
  }

  @Test
  void replaceWindowReplacesExactlyTheChangedWindowsRows() throws Exception {
    Pipeline p = pipeline(WriteStrategy.REPLACE_WINDOW, 4, 2);
    ListSource source = (ListSource) p.source();
    try (IcebergDestination d = open("r")) {
      assertThat(run(d, p, "r1").ok()).isTrue();
      // 2024-03-02 now holds three rows of generation 2; 2024-03-01 is unchanged
      List<Object[]> next = new ArrayList<>();
      source.records().stream()
          .filter(r -> r[2].toString().startsWith("2024-03-01"))
          .forEach(next::add);
      for (long i = 10; i < 13; i++) {
        next.add(new Object[] {i, 2L, LocalDateTime.parse("2024-03-02T11:00:00")});
      }
      source.replaceAll(next);
      RunReport second = run(d, p, "r2");
      assertThat(second.outcomes())
          .extracting(o -> o.window().id() + " " + o.result())
          .containsExactlyInAnyOrder("2024-03-01 UNCHANGED", "2024-03-02 LOADED");
    }
    assertThat(read("fenced"))
        .extracting(r -> r.getField("id") + "/" + r.getField("generation"))
        .containsExactlyInAnyOrder("0/1", "2/1", "10/2", "11/2", "12/2");
  }

  /**
   * Two ledger changes built on the same ledger, on two catalog connections: the second to commit
   * must not overwrite the first (a lost update would let two runners both claim one window). B's
   * change lands after A's transaction last refreshed the table and before A's commit reaches the
   * catalog; A's commit is refused, A reads B's ledger and decides again, and both changes are in.
   */
  @Test
  void aChangeRacedBetweenItsLastRefreshAndItsCommitIsDecidedAgainNotLost() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE);
    try (IcebergDestination a = open("a");
        IcebergDestination b = open("b")) {
      a.prepare(p);
      b.prepare(p);
      LedgerStore storeB = b.store(p.name()).orElseThrow();
      LedgerStore prepared = a.store(p.name()).orElseThrow();
      TableOperations ops = ((HasTableOperations) prepared.table()).operations();
      Runnable race =
          () ->
              storeB.change(
                  "b's change",
                  (other, otherTx) -> {
                    other.tombstones(IcebergFenceTest::first).put("b", new LedgerState.Tombstone());
                    return LedgerStore.Outcome.commit(null);
                  });
      LedgerStore storeA =
          new LedgerStore(
              prepared.name(),
              new BaseTable(new RacingOperations(ops, race), prepared.name()),
              LedgerStore.sendsChanges(ops));
      List<String> seenByA = new ArrayList<>();
      storeA.change(
          "a's change",
          (state, tx) -> {
            var tombstones = state.tombstones(IcebergFenceTest::first);
            seenByA.add(String.join(",", tombstones.keySet()));
            tombstones.put("a", new LedgerState.Tombstone());
            return LedgerStore.Outcome.commit(null);
          });
      assertThat(seenByA).containsExactly("", "b");
      assertThat(storeB.read().tombstones(IcebergFenceTest::first)).containsOnlyKeys("a", "b");
    }
  }

  static RunReport run(IcebergDestination d, Pipeline p, String runId) throws Exception {
    return new Runner(d, RunServices.defaults())
        .run(p, p.source().windows(p.windows()), RunOptions.defaults(runId));
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
