package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsDeletes;
import dev.idem.fault.FaultInjector;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInstance;

/**
 * What every part of the destination contract runs on: the hooks a destination's test gives (a
 * fresh destination, its rows, what it cannot do), the input (five days of orders), and runs of the
 * runner with a clock the tests move by hand.
 *
 * <p>One part of {@link DestinationContractSuite}, which is split by concern into a chain of
 * abstract classes so that each stays readable: a destination's test extends {@code
 * DestinationContractSuite}, never this class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ContractHarness {
  protected static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER), Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
              Column.of("ingested_at", DataType.TIMESTAMP));
  static final Duration TTL = Duration.ofMinutes(5);

  private final List<Destination> opened = Collections.synchronizedList(new ArrayList<>());
  protected final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T00:00:00Z"));

  /**
   * Parts of the contract a destination may declare it cannot do (see {@link #limits()}). Each is
   * something a database table does and another kind of target, a Kafka topic say, cannot.
   */
  protected enum Limit {
    /**
     * A done window is loaded again when a run forces it or its input changed (a topic cannot take
     * records back).
     */
    RELOADS_A_DONE_WINDOW,
    /**
     * The target is counted by window, so rows removed behind idem's back are noticed and the
     * window is loaded again.
     */
    COUNTS_THE_TARGET_BY_WINDOW,
    /** A claimed window is written to the ledger, which shows it RUNNING until its commit. */
    RECORDS_CLAIMS_IN_THE_LEDGER,
    /**
     * {@code append} skips a key the target holds and folds a window's duplicates, rather than
     * writing every record.
     */
    APPEND_DEDUPLICATES_BY_KEY
  }

  /** The strategies this destination refuses, each with the reason. Default: none. */
  protected Map<WriteStrategy, String> refusedStrategies() {
    return Map.of();
  }

  /** What this destination cannot do, each with the reason. Default: nothing. */
  protected Map<Limit, String> limits() {
    return Map.of();
  }

  void assumeStrategy(WriteStrategy strategy) {
    String why = refusedStrategies().get(strategy);
    Assumptions.assumeTrue(
        why == null, () -> "opted out: strategy " + strategy.label() + " is refused: " + why);
  }

  void assumeCan(Limit what) {
    String why = limits().get(what);
    Assumptions.assumeTrue(why == null, () -> "opted out: " + what + ": " + why);
  }

  boolean can(Limit what) {
    return !limits().containsKey(what);
  }

  /**
   * The strategy of the cases that are about no strategy in particular: {@code merge}, the most
   * demanding, unless the destination refuses it; then {@code append}.
   */
  WriteStrategy general() {
    return refusedStrategies().containsKey(WriteStrategy.MERGE)
        ? WriteStrategy.APPEND
        : WriteStrategy.MERGE;
  }

  /**
   * The strategies the crash cases run: every one with day windows, but those the destination
   * refuses.
   */
  List<WriteStrategy> crashStrategies() {
    return Stream.of(WriteStrategy.MERGE, WriteStrategy.REPLACE_WINDOW, WriteStrategy.APPEND)
        .filter(s -> !refusedStrategies().containsKey(s))
        .toList();
  }

  /** A new, empty destination (its own database file or schema). */
  protected abstract Destination newDestination(RunServices services);

  /** Opens the same database as {@code destination} again (as a restarted process would). */
  protected abstract Destination reopen(Destination destination, RunServices services);

  /** Every row of a table, each rendered as text, sorted: a multiset snapshot. */
  protected abstract List<String> rows(Destination destination, String table);

  /** Deletes the target rows a window wrote, behind idem's back. */
  protected abstract void deleteRowsOf(Destination destination, String table, String windowId);

  /**
   * Lets every live lease of the destination expire, as time passing would. Default: advance the
   * runners' clock (destinations that judge leases by it); a destination that judges leases by its
   * own clock moves the recorded expiry instead.
   */
  protected void expireLeases(Destination destination) {
    clock.advance(TTL.plusSeconds(1));
  }

  protected RunServices services(String owner) {
    return RunServices.defaults()
        .withClock(clock)
        .withOwner(owner)
        .withLeaseTtl(TTL)
        .withRetry(new RetryPolicy(5, Duration.ZERO, Duration.ZERO));
  }

  Destination fresh() {
    Destination d = newDestination(services("p1"));
    opened.add(d);
    return d;
  }

  /**
   * Skips a case about deletes where the destination keeps none (it does not implement {@link
   * SupportsDeletes}); that such a destination refuses a pipeline with deletes is a case of its
   * own.
   */
  static void keepsDeletes(Destination d) {
    Assumptions.assumeTrue(
        d instanceof SupportsDeletes,
        () ->
            "opted out: "
                + d.describe()
                + " keeps no deletes (it does not implement SupportsDeletes; its refusal is checked)");
  }

  /** A fresh destination for a case about deletes, which is skipped where it keeps none. */
  Destination freshKeepingDeletes() {
    Destination d = fresh();
    keepsDeletes(d);
    return d;
  }

  Destination track(Destination d) {
    opened.add(d);
    return d;
  }

  @AfterAll
  void closeAll() {
    opened.forEach(Destination::close);
  }

  // ---------------------------------------------------------------- data

  static LocalDateTime at(String t) {
    return LocalDateTime.parse(t);
  }

  /**
   * Five days of orders with an exact duplicate (day 1), a late correction (order 1 on day 3) and a
   * re-sent order.
   */
  protected static ListSource orders() {
    ListSource s = new ListSource(ORDERS);
    s.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-01T10:00:00"));
    s.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00"));
    s.add(5L, "eve 'q'; drop", new BigDecimal("99.99"), at("2024-03-02T09:30:00"));
    s.add(1L, "ada", new BigDecimal("12.50"), at("2024-03-03T11:00:00"));
    s.add(6L, "fay", null, at("2024-03-03T12:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-04T07:00:00"));
    s.add(7L, "gus \"x\"", new BigDecimal("1.10"), at("2024-03-04T23:59:59.999"));
    s.add(8L, "hal", new BigDecimal("8.00"), at("2024-03-05T00:00:00"));
    s.add(8L, "hal", new BigDecimal("8.80"), at("2024-03-05T00:00:00"));
    return s;
  }

  protected static Pipeline pipeline(ListSource source, WriteStrategy strategy) {
    Pipeline.Builder b =
        Pipeline.builder("orders").version("1").source(source).table("orders").strategy(strategy);
    if (strategy == WriteStrategy.REPLACE_TABLE) {
      b.windows(WindowSpec.full());
    } else {
      b.windows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
    }
    if (strategy != WriteStrategy.REPLACE_WINDOW && strategy != WriteStrategy.REPLACE_TABLE) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    } else if (strategy == WriteStrategy.REPLACE_TABLE) {
      b.key(KeySpec.columns("order_id")).orderBy("ingested_at");
    }
    return b.build();
  }

  static List<Window> all(Pipeline p) {
    try {
      return p.source().windows(p.windows());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RunReport run(
      Destination d,
      Pipeline p,
      List<Window> windows,
      RunOptions options,
      FaultInjector faults,
      String owner) {
    return new Runner(d, services(owner).withFaults(faults)).run(p, windows, options);
  }

  RunReport run(Destination d, Pipeline p, List<Window> windows) {
    return run(d, p, windows, RunOptions.defaults("run"), FaultInjector.NONE, "p1");
  }

  /**
   * The rows of one clean run on a destination of its own, closed at once (a server has only so
   * many connections).
   */
  List<String> cleanRun(Pipeline p) {
    try (Destination d = newDestination(services("p1"))) {
      RunReport r = run(d, p, all(p));
      assertThat(r.ok()).as("clean run: %s", r.outcomes()).isTrue();
      return rows(d, "orders");
    }
  }

  static void assertBalanced(RunReport report) {
    for (WindowOutcome o : report.outcomes()) {
      if (o.result() == Result.LOADED) {
        assertThat(o.counts().balanced())
            .as("conservation of rows in %s: %s", o.window(), o.counts())
            .isTrue();
      }
    }
  }
}
