package dev.idem.bench;

import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.testkit.source.OrdersGenerator;
import dev.idem.window.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The embedded default's numbers, from the same generated orders as the PostgreSQL cases: DuckDB's
 * own CSV reader inserting into a keyed table (the keyed limit), a hand-written {@code INSERT OR
 * REPLACE} from {@code read_csv} (what a DuckDB user writes without idem), and idem's merge first
 * load, unchanged and forced re-runs, and one-window replace in a table of {@code rows} and of
 * {@code big-rows}.
 *
 * <pre>
 * java -jar idem-bench/target/idem-bench-*-all.jar duckdb [rows] [big-rows]
 * </pre>
 *
 * <p>{@code big-rows} defaults to ten times {@code rows}; 0 skips the big table.
 */
final class DuckDbBench {
  private static final int DAYS_SMALL = 30;
  private static final String COLUMNS =
      "{'order_id': 'BIGINT', 'customer': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'BIGINT',"
          + " 'amount': 'DECIMAL(12,2)', 'status': 'VARCHAR', 'updated_at': 'TIMESTAMP'}";
  private static final String DDL =
      "(order_id BIGINT PRIMARY KEY, customer VARCHAR, product VARCHAR, quantity BIGINT,"
          + " amount DECIMAL(12,2), status VARCHAR, updated_at TIMESTAMP)";

  private final Cases cases = new Cases(CpuClock.jvmOnly(), 5);
  private final Path work;

  private DuckDbBench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    long bigRows = args.length > 1 ? Long.parseLong(args[1]) : 10 * rows;
    new DuckDbBench(Files.createTempDirectory("idem-bench-duckdb")).run(rows, bigRows);
  }

  private void run(long rows, long bigRows) throws Exception {
    Path small = work.resolve("small");
    Path big = work.resolve("big");
    int bigDays = (int) (DAYS_SMALL * bigRows / rows);
    System.out.printf(
        Locale.ROOT,
        "generating %,d rows in %d daily files%s under %s; %d cores%n",
        rows,
        DAYS_SMALL,
        bigRows > 0
            ? String.format(Locale.ROOT, " and %,d rows in %d daily files", bigRows, bigDays)
            : "",
        work,
        Runtime.getRuntime().availableProcessors());
    OrdersGenerator.generate(small, rows, DAYS_SMALL, 42);
    if (bigRows > 0) {
      OrdersGenerator.generate(big, bigRows, bigDays, 43);
    }

    double limit =
        cases.time(
            "L1",
            "INSERT INTO keyed table SELECT * FROM read_csv (keyed limit)",
            rows,
            () -> sql("limit.duckdb", "INSERT INTO t SELECT * FROM " + readCsv(small)));
    double limitPerDay =
        cases.time(
            "L1w",
            "L1 per day into idem's table shape, a commit per day",
            rows,
            () -> perFile("limit-per-day.duckdb", small));
    double upsert =
        cases.time(
            "L2",
            "INSERT OR REPLACE INTO keyed table SELECT * FROM read_csv",
            rows,
            () -> sql("upsert.duckdb", "INSERT OR REPLACE INTO t SELECT * FROM " + readCsv(small)));

    String url = url("idem.duckdb");
    Pipeline merge = Bench.pipeline(small, "orders_merge", WriteStrategy.MERGE);
    List<Window> windows = merge.source().windows(merge.windows());
    double c =
        cases.time(
            "c",
            "idem merge, first load, " + DAYS_SMALL + " day windows",
            rows,
            () -> Bench.idem(url, merge, windows, RunOptions.defaults("c")));
    double cw = Bench.firstLoadAgain(cases, url, small, windows, rows);
    Pipeline merge2 = Bench.pipeline(small, "orders_merge2", WriteStrategy.MERGE);
    cases.time(
        "c2",
        "idem merge, first load, --parallel 2 (staging overlaps)",
        rows,
        () -> Bench.idem(url, merge2, windows, RunOptions.defaults("c2").withParallel(2)));
    double d =
        cases.time(
            "d",
            "idem re-run, input unchanged",
            rows,
            () -> Bench.idem(url, merge, windows, RunOptions.defaults("d")));
    double e =
        cases.time(
            "e",
            "idem re-run with --force (nothing rewritten)",
            rows,
            () -> Bench.idem(url, merge, windows, RunOptions.defaults("e").forced()));

    Pipeline rw = Bench.pipeline(small, "orders_rw", WriteStrategy.REPLACE_WINDOW);
    Bench.idem(url, rw, rw.source().windows(rw.windows()), RunOptions.defaults("setup"));
    Window day = rw.windows().window(OrdersGenerator.FIRST_DAY.plusDays(7).toString());
    long dayRows = rows / DAYS_SMALL;
    double f1 =
        cases.median(
            "f1",
            "replace_window of one day in a " + Cases.human(rows) + "-row table",
            dayRows,
            () -> Bench.idem(url, rw, List.of(day), RunOptions.defaults("f1").forced()));
    double f10 = 0;
    if (bigRows > 0) {
      String bigUrl = url("big.duckdb");
      Pipeline rw10 = Bench.pipeline(big, "orders_big", WriteStrategy.REPLACE_WINDOW);
      List<Window> bigWindows = rw10.source().windows(rw10.windows());
      cases.time(
          "g",
          "idem replace_window first load of " + Cases.human(bigRows) + " rows",
          bigRows,
          () -> Bench.idem(bigUrl, rw10, bigWindows, RunOptions.defaults("g")));
      f10 =
          cases.median(
              "f10",
              "replace_window of one day in a " + Cases.human(bigRows) + "-row table",
              bigRows / bigDays,
              () -> Bench.idem(bigUrl, rw10, List.of(day), RunOptions.defaults("f10").forced()));
    }

    cases.table();
    Cases.ratio("c/L1  first merge load / keyed limit (>= 0.5)", c / limit);
    Cases.ratio("c/L1w first merge load / L1 into idem's shape, per day", c / limitPerDay);
    Cases.ratio("c/L2  first merge load / INSERT OR REPLACE", c / upsert);
    Cases.ratio("c/L1  in CPU", cases.cpu("L1") / cases.cpu("c"));
    Cases.ratio("cw/L1 with the JIT warm", cw / limit);
    Cases.ratio("cw/L1 in CPU", cases.cpu("L1") / cases.cpu("cw"));
    Cases.ratio("c/L1w in CPU", cases.cpu("L1w") / cases.cpu("c"));
    Cases.ratio("d/c   time, unchanged re-run / first load", (rows / d) / (rows / c));
    Cases.ratio("e/c   time, forced re-run / first load", (rows / e) / (rows / c));
    if (bigRows > 0) {
      Cases.ratio(
          "f10/f1 time, one-day replace, big / small",
          (bigRows / (double) bigDays / f10) / (dayRows / f1));
    }
  }

  private String url(String file) {
    return "jdbc:duckdb:" + work.resolve(file);
  }

  private static String readCsv(Path dir) {
    return readCsv(dir, "orders-*.csv");
  }

  private static String readCsv(Path dir, String files) {
    return "read_csv('"
        + dir.resolve(files)
        + "', header = true, auto_detect = false, columns = "
        + COLUMNS
        + ")";
  }

  /**
   * In a new DuckDB file: the keyed table with idem's lineage columns, then each file of {@code
   * dir} inserted by DuckDB's CSV reader with its day as lineage, in a transaction of its own as
   * idem commits each window; not an idem run.
   */
  private dev.idem.run.RunReport perFile(String file, Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection(url(file));
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE t "
              + DDL.substring(0, DDL.length() - 1)
              + ", _idem_window VARCHAR NOT NULL, _idem_window_order VARCHAR)");
      for (Path f : Bench.files(dir)) {
        String day = "'" + Bench.day(f) + "'";
        s.execute(
            "INSERT INTO t SELECT *, "
                + day
                + ", "
                + day
                + " FROM "
                + readCsv(f.getParent(), f.getFileName().toString()));
      }
    }
    return null;
  }

  /** In a new DuckDB file: the keyed table, then {@code insert}; not an idem run. */
  private dev.idem.run.RunReport sql(String file, String insert) throws Exception {
    try (Connection c = DriverManager.getConnection(url(file));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t " + DDL);
      s.execute(insert);
    }
    return null;
  }
}
