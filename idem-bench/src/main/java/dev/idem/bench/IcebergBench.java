package dev.idem.bench;

import dev.idem.context.RunServices;
import dev.idem.iceberg.IcebergDestination;
import dev.idem.iceberg.IcebergSettings;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.testkit.source.OrdersGenerator;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Iceberg cases, one local warehouse each (SQLite catalog, Parquet data files), on the orders of
 * {@link OrdersGenerator}, in day windows:
 *
 * <ul>
 *   <li>i0: the limit, a plain Iceberg append with the same libraries: the same CSV reader, one
 *       Parquet data file per day written with {@code GenericParquetWriter}, one {@code
 *       newAppend()} commit per day; no ledger, no dedup, no key lookup;
 *   <li>i1: idem merge, first load, through the real {@link Runner} and {@link IcebergDestination};
 *   <li>i2: the same pipeline re-run, input unchanged;
 *   <li>ir-N / im-N: one day of a {@code rows}-row table changed and re-run with {@code --force},
 *       {@code replace_window} and {@code merge} (median of {@value #REPEATS});
 *   <li>i4: idem merge first load of {@code big-rows}, then ir-M / im-M the same one-day re-runs in
 *       that table.
 * </ul>
 *
 * <p>Wall and CPU time (this JVM: the bench is one process, with no database server) per case, and
 * the runner's phase timers summed over the case's windows: where the time goes.
 *
 * <pre>java -jar idem-bench/target/idem-bench-*-all.jar iceberg [rows] [big-rows]</pre>
 */
final class IcebergBench {
  private static final int DAYS_SMALL = 30;
  private final Cases cases = new Cases(CpuClock.jvmOnly(), 3);
  private final Path work;
  private int edits;

  private IcebergBench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.log.org.apache", "warn"); // a line per commit
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    long bigRows = args.length > 1 ? Long.parseLong(args[1]) : 10 * rows;
    new IcebergBench(Files.createTempDirectory("idem-iceberg-bench")).run(rows, bigRows);
  }

  static Pipeline pipeline(Path dir, String table, WriteStrategy strategy) {
    return Pipeline.builder("bench-" + table + "-" + strategy.name().toLowerCase(Locale.ROOT))
        .source(new CsvSource(new FileSet(dir, "orders-*.csv"), Bench.ORDERS, CsvFormat.DEFAULT))
        .windows(WindowSpec.day("updated_at", ZoneOffset.UTC))
        .table(table)
        .key(KeySpec.columns("order_id"))
        .orderBy(strategy == WriteStrategy.MERGE ? "updated_at" : null)
        .strategy(strategy)
        .build();
  }

  private void run(long rows, long bigRows) throws Exception {
    Path small = work.resolve("small");
    Path big = work.resolve("big");
    int bigDays = (int) (DAYS_SMALL * bigRows / rows);
    System.out.printf(Locale.ROOT, "generating %,d and %,d rows under %s%n", rows, bigRows, work);
    OrdersGenerator.generate(small, rows, DAYS_SMALL, 42);
    if (bigRows > 0) {
      OrdersGenerator.generate(big, bigRows, bigDays, 43);
    }
    Pipeline merge = pipeline(small, "orders", WriteStrategy.MERGE);
    List<Window> windows = merge.source().windows(merge.windows());
    double i0 =
        cases.time(
            "i0",
            "plain Iceberg append, a commit per day (limit)",
            rows,
            () -> {
              PlainAppend.load(work.resolve("plain"), merge, windows);
              return null;
            });
    Path warehouse = work.resolve("warehouse");
    double i1 =
        cases.time(
            "i1", "idem merge, first load", rows, () -> idem(warehouse, merge, windows, "i1"));
    double i2 =
        cases.time(
            "i2",
            "idem re-run, input unchanged",
            rows,
            () -> idem(warehouse, merge, windows, "i2"));
    Window day = merge.windows().window(OrdersGenerator.FIRST_DAY.plusDays(7).toString());
    double[] f1 = replaceOne(small, warehouse, "orders", day, rows / DAYS_SMALL, Cases.human(rows));
    double[] f10 = null;
    if (bigRows > 0) {
      Pipeline bigMerge = pipeline(big, "orders", WriteStrategy.MERGE);
      Path bigWarehouse = work.resolve("warehouse-big");
      List<Window> bigWindows = bigMerge.source().windows(bigMerge.windows());
      cases.time(
          "i4",
          "idem merge, first load of the big table",
          bigRows,
          () -> idem(bigWarehouse, bigMerge, bigWindows, "i4"));
      f10 = replaceOne(big, bigWarehouse, "orders", day, bigRows / bigDays, Cases.human(bigRows));
    }
    cases.table();
    Cases.ratio("i1/i0 rows/s (target >= 0.5)", i1 / i0);
    Cases.ratio("i2/i1 time", i1 / i2);
    if (f10 != null) {
      // the same day has the same rows in both tables: a ratio of rates is one of times
      Cases.ratio("replace_window big/small time (target <= 1.3)", f1[0] / f10[0]);
      Cases.ratio("merge re-run big/small time", f1[1] / f10[1]);
    }
  }

  /** Forced re-runs of one changed day: replace_window, then merge; rows/s of each (medians). */
  private double[] replaceOne(
      Path dir, Path warehouse, String table, Window day, long dayRows, String size)
      throws Exception {
    Pipeline rw = pipeline(dir, table, WriteStrategy.REPLACE_WINDOW);
    Pipeline mg = pipeline(dir, table, WriteStrategy.MERGE);
    rw.source().windows(rw.windows()); // learn which file holds which day, untimed
    mg.source().windows(mg.windows());
    double r =
        cases.median(
            "ir-" + size,
            "replace_window of one changed day, " + size + " table",
            dayRows,
            () -> {
              change(dir, day);
              return idem(warehouse, rw, List.of(day), "rw");
            });
    double m =
        cases.median(
            "im-" + size,
            "merge re-run of one changed day, " + size + " table",
            dayRows,
            () -> {
              change(dir, day);
              return idem(warehouse, mg, List.of(day), "mg");
            });
    return new double[] {r, m};
  }

  /** Rewrites every row of the day's file: a new customer value, same keys and timestamps. */
  private void change(Path dir, Window day) throws Exception {
    Path f = dir.resolve("orders-" + day.id() + ".csv");
    List<String> in = Files.readAllLines(f, StandardCharsets.UTF_8);
    String mark = "v" + ++edits;
    StringBuilder out = new StringBuilder(in.size() * 64);
    out.append(in.get(0)).append('\n');
    for (int i = 1; i < in.size(); i++) {
      String[] c = in.get(i).split(",", -1);
      c[1] = c[1].replaceAll("v\\d+$", "") + mark;
      out.append(String.join(",", c)).append('\n');
    }
    Files.writeString(f, out, StandardCharsets.UTF_8);
  }

  private static RunReport idem(Path warehouse, Pipeline p, List<Window> windows, String runId) {
    RunServices services = RunServices.defaults();
    RunOptions options =
        runId.equals("i1") || runId.equals("i2") || runId.equals("i4")
            ? RunOptions.defaults(runId)
            : RunOptions.defaults(runId).forced();
    try (IcebergDestination d =
        new IcebergDestination(IcebergSettings.local(warehouse, "idem"), services)) {
      RunReport r = new Runner(d, services).run(p, windows, options);
      for (WindowOutcome o : r.outcomes()) {
        if (o.result() == WindowOutcome.Result.FAILED) {
          throw new IllegalStateException("window " + o.window() + " failed: " + o.message());
        }
      }
      return r;
    }
  }
}
