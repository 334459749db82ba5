package dev.idem.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.destination.Destination;
import dev.idem.fault.FaultInjector;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Stated order (ADR 0003): a version is its {@code order_by} values compared column by column in
 * declared order, NULL least; on equal versions across windows the earlier window in window order
 * ({@code Window.orderKey}) wins, whatever order the windows ran in, and forced re-runs change
 * nothing. Merge only (the strategy that compares versions across windows).
 *
 * <p>One part of {@link DestinationContractSuite}: a destination's test extends {@code
 * DestinationContractSuite}, never this class.
 */
public abstract class VersionOrderContract extends FailureContract {
  /**
   * Order 1 has the same amount on two days (a tie on {@code order_by: amount}); order 2 is newer
   * on the second day.
   */
  @Test
  void onATieTheEarlierWindowWinsWhateverOrderWindowsRanIn() {
    assumeStrategy(WriteStrategy.MERGE);
    IdWindows source = new IdWindows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
    source.add("2024-03-01", 1L, "ada", "10.00", "2024-03-01T08:00:00");
    source.add("2024-03-01", 2L, "bob", "5.00", "2024-03-01T09:00:00");
    source.add("2024-03-02", 1L, "ann", "10.00", "2024-03-02T08:00:00");
    source.add("2024-03-02", 2L, "ben", "6.00", "2024-03-02T09:00:00");
    Pipeline p = source.pipeline(List.of("amount"));

    List<String> expected =
        List.of(
            "order_id=1|customer=ada|amount=10.00|_idem_window=2024-03-01",
            "order_id=2|customer=ben|amount=6.00|_idem_window=2024-03-02");
    assertConverges(p, source.windows(), expected);
  }

  /**
   * Stream windows compare by partition, then offset as numbers: {@code orders-0@999} is earlier
   * than {@code orders-0@1000}, though it sorts after it as text.
   */
  @Test
  void streamWindowsTieByOffsetAsANumber() {
    assumeStrategy(WriteStrategy.MERGE);
    IdWindows source = new IdWindows(WindowSpec.offsets());
    source.add("orders-0@1000", 1L, "late", "10.00", "2024-03-01T08:00:00");
    source.add("orders-0@999", 1L, "early", "10.00", "2024-03-01T08:00:00");
    source.add("orders-1@5", 2L, "p1", "10.00", "2024-03-01T08:00:00");
    source.add("orders-10@4", 2L, "p10", "10.00", "2024-03-01T08:00:00");
    Pipeline p = source.pipeline(List.of("amount"));
    List<String> expected =
        List.of(
            "order_id=1|customer=early|amount=10.00|_idem_window=orders-0@999",
            "order_id=2|customer=p1|amount=10.00|_idem_window=orders-1@5");
    assertConverges(p, source.windows(), expected);
  }

  /**
   * {@code order_by: [customer, amount]}: the second column decides when the first is equal, and a
   * NULL first column is older than any value, within a window and across windows.
   */
  @Test
  void severalOrderByColumnsCompareInDeclaredOrderNullLeast() {
    assumeStrategy(WriteStrategy.MERGE);
    IdWindows source = new IdWindows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
    source.add("2024-03-01", 1L, "ada", "10.00", "2024-03-01T08:00:00");
    source.add("2024-03-01", 2L, "bob", "1.00", "2024-03-01T08:00:00");
    source.add("2024-03-01", 3L, "cyd", "1.00", "2024-03-01T08:00:00");
    source.add("2024-03-01", 3L, "cyd", "3.00", "2024-03-01T09:00:00");
    source.add("2024-03-01", 4L, null, "9.00", "2024-03-01T08:00:00");
    source.add("2024-03-01", 5L, "yan", "1.00", "2024-03-01T08:00:00");
    source.add("2024-03-02", 1L, "ada", "5.00", "2024-03-02T08:00:00");
    source.add("2024-03-02", 2L, "bob", "2.00", "2024-03-02T08:00:00");
    source.add("2024-03-02", 4L, "xen", "1.00", "2024-03-02T08:00:00");
    source.add("2024-03-02", 5L, null, "99.00", "2024-03-02T08:00:00");
    Pipeline p = source.pipeline(List.of("customer", "amount"));
    List<String> expected =
        List.of(
            "order_id=1|customer=ada|amount=10.00|_idem_window=2024-03-01",
            "order_id=2|customer=bob|amount=2.00|_idem_window=2024-03-02",
            "order_id=3|customer=cyd|amount=3.00|_idem_window=2024-03-01",
            "order_id=4|customer=xen|amount=1.00|_idem_window=2024-03-02",
            "order_id=5|customer=yan|amount=1.00|_idem_window=2024-03-01");
    assertConverges(p, source.windows(), expected);
  }

  /**
   * Windows run forwards and backwards on two fresh destinations both leave {@code expected}; then
   * every window forced again, in either order, changes nothing.
   */
  private void assertConverges(Pipeline p, List<Window> windows, List<String> expected) {
    List<Window> backwards = new ArrayList<>(windows);
    Collections.reverse(backwards);
    for (List<Window> order : List.of(windows, backwards)) {
      Destination d = fresh();
      for (Window w : order) {
        RunReport r = run(d, p, List.of(w));
        assertThat(r.ok()).as("window %s: %s", w, r.outcomes()).isTrue();
        assertBalanced(r);
      }
      assertThat(versions(d)).as("windows run in order %s", order).isEqualTo(expected);
      for (List<Window> forced : List.of(windows, backwards)) {
        RunReport again =
            run(d, p, forced, RunOptions.defaults("force").forced(), FaultInjector.NONE, "p1");
        assertBalanced(again);
        assertThat(again.outcomes())
            .as("forced %s", forced)
            .allSatisfy(
                o -> {
                  assertThat(o.result()).isEqualTo(Result.LOADED);
                  assertThat(o.counts().inserted() + o.counts().updated()).isZero();
                });
        assertThat(versions(d)).isEqualTo(expected);
      }
    }
  }

  /**
   * The target's rows as order_id, customer, amount and the window that wrote them (timestamps are
   * rendered differently by each database).
   */
  private List<String> versions(Destination d) {
    return rows(d, "orders").stream()
        .map(
            r ->
                Arrays.stream(r.split("\\|"))
                    .filter(f -> !f.startsWith("ingested_at="))
                    .collect(Collectors.joining("|")))
        .toList();
  }

  /** Orders in windows named by id, as a stream or file source cuts them. */
  private static final class IdWindows implements Source {
    private final WindowSpec spec;
    private final Map<String, List<Object[]>> windows = new LinkedHashMap<>();

    IdWindows(WindowSpec spec) {
      this.spec = spec;
    }

    void add(String window, Long id, String customer, String amount, String ingestedAt) {
      windows
          .computeIfAbsent(window, w -> new ArrayList<>())
          .add(new Object[] {id, customer, new BigDecimal(amount), at(ingestedAt)});
    }

    List<Window> windows() {
      return windows.keySet().stream().map(spec::window).toList();
    }

    Pipeline pipeline(List<String> orderBy) {
      return Pipeline.builder("orders")
          .version("1")
          .source(this)
          .table("orders")
          .strategy(WriteStrategy.MERGE)
          .windows(spec)
          .key(KeySpec.columns("order_id"))
          .orderBy(orderBy)
          .build();
    }

    @Override
    public Schema schema() {
      return ORDERS;
    }

    @Override
    public List<Window> windows(WindowSpec s) {
      return windows();
    }

    @Override
    public RecordReader read(WindowSpec s, Window window) {
      Iterator<Object[]> it = windows.getOrDefault(window.id(), List.of()).iterator();
      int[] line = {0};
      return new RecordReader() {
        @Override
        public SourceRecord next() {
          line[0]++;
          return it.hasNext()
              ? new SourceRecord(it.next().clone(), window.id() + ":" + line[0])
              : null;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String describe() {
      return "orders by window id";
    }
  }
}
