package dev.idem.jdbc.dialect.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window another runner held, waited for and found done meanwhile, counts as done here only when
 * that load was of the input this run sees: a runner that read the window before its input changed
 * and committed it then did not load this run's input.
 */
class HeldWindowInputTest {
  @TempDir Path dir;

  private static final Schema COLUMNS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("amount", DataType.INTEGER),
          Column.of("at", DataType.TIMESTAMP));

  private static Pipeline orders(long amount) {
    return Pipeline.builder("orders")
        .source(new ListSource(COLUMNS).add(1L, amount, LocalDateTime.parse("2024-03-01T08:00")))
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .table("orders")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  @Test
  void aHeldWindowDoneMeanwhileFromOlderInputIsLoadedHereNotCountedDone() throws Exception {
    String url = "jdbc:duckdb:" + dir.resolve("held.duckdb");
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RunServices first =
        RunServices.defaults()
            .withOwner("first")
            .withFaults(
                (point, w) -> {
                  if (point == FaultPoint.AFTER_CLAIM) {
                    claimed.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (JdbcDestination d =
        JdbcDestination.open(url, new Properties(), first, Duration.ofSeconds(5))) {
      Pipeline before = orders(10);
      Window day = before.windows().window("2024-03-01");
      // the first runner claims the day and reads its input as it was (amount 10)
      Future<RunReport> loadOfBefore =
          pool.submit(
              () -> new Runner(d, first).run(before, List.of(day), RunOptions.defaults("first")));
      claimed.await();
      // the input changes (amount 20); a second run finds the day held and waits; while it
      // waits, the first commits what it read
      RunServices second =
          RunServices.defaults()
              .withOwner("second")
              .withSleeper(
                  wait -> {
                    release.countDown();
                    try {
                      loadOfBefore.get();
                    } catch (ExecutionException e) {
                      throw new IllegalStateException(e);
                    }
                  });
      try (JdbcDestination other = d.reopen(second)) {
        RunReport r =
            new Runner(other, second)
                .run(
                    orders(20),
                    List.of(day),
                    RunOptions.defaults("second").withHeldWait(Duration.ofSeconds(30)));
        assertThat(loadOfBefore.get().ok()).isTrue();
        assertThat(r.outcomes())
            .singleElement()
            .satisfies(o -> assertThat(o.result()).as(o.message()).isEqualTo(Result.LOADED));
        assertThat(d.tableRows("orders"))
            .singleElement()
            .satisfies(row -> assertThat(row).contains("amount=20"));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
