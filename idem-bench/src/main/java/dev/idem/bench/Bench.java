package dev.idem.bench;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.testkit.source.OrdersGenerator;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.postgresql.PGConnection;

/**
 * One command, one PostgreSQL, every number: raw COPY (the non-idempotent limit), pgjdbc batched
 * upsert (how Kafka Connect's JDBC sink and Spring Batch load), idem merge first load, re-run
 * unchanged, re-run forced, replace_window of one day in a 1M- and a 10M-row table, and the 10M
 * load in a child JVM with -Xmx256m.
 *
 * <pre>
 * ./mvnw -q -pl idem-bench -am package -DskipTests && java -jar idem-bench/target/idem-bench-*-all.jar [rows] [big-rows]
 * </pre>
 *
 * <p>{@code kafka [messages] [runs] [max_records]} runs the Kafka cases instead ({@link
 * KafkaBench}); {@code iceberg [rows] [big-rows]} the Iceberg cases ({@link IcebergBench}); {@code
 * duckdb [rows] [big-rows]} the embedded DuckDB default's ({@link DuckDbBench}).
 *
 * <p>{@code big-rows} defaults to ten times {@code rows}; 0 skips the big cases (g, f10M). A single
 * window takes well under a second, so f1M and f10M are each run {@value #REPEATS} times and their
 * median is reported.
 */
public final class Bench {
  static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("product", DataType.STRING),
          Column.of("quantity", DataType.INTEGER),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("status", DataType.STRING),
          Column.of("updated_at", DataType.TIMESTAMP));
  private static final String DDL =
      "(order_id bigint PRIMARY KEY, customer text, product text, quantity bigint, amount numeric(12,2), status text, updated_at timestamp)";

  /** idem's lineage columns on a versioned target, as PostgreSQL declares them. */
  private static final String LINEAGE =
      ", _idem_window text NOT NULL, _idem_window_order text COLLATE \"C\"";

  private static final int DAYS_SMALL = 30;
  private static final int REPEATS = 5;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("kafka")) {
      KafkaBench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("iceberg")) {
      IcebergBench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("http")) {
      HttpBench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("duckdb")) {
      DuckDbBench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("generate")) {
      // generate DIR ROWS DAYS: the orders files alone (rerun-floor.sh)
      OrdersGenerator.generate(
          Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), 42);
      return;
    }
    if (args.length > 0 && args[0].equals("scan")) {
      scan(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 8);
      return;
    }
    if (args.length > 0 && args[0].equals("load")) {
      load(Path.of(args[1]), args[2], args[3]); // the child JVM of (g)
      return;
    }
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    long bigRows = args.length > 1 ? Long.parseLong(args[1]) : 10 * rows;
    new Bench().run(rows, bigRows);
  }

  static Pipeline pipeline(Path dir, String table, WriteStrategy strategy) {
    return Pipeline.builder("bench-" + table)
        .source(new CsvSource(new FileSet(dir, "orders-*.csv"), ORDERS, CsvFormat.DEFAULT))
        .windows(WindowSpec.day("updated_at", ZoneOffset.UTC))
        .table(table)
        .key(KeySpec.columns("order_id"))
        .orderBy(strategy == WriteStrategy.MERGE ? "updated_at" : null)
        .strategy(strategy)
        .build();
  }

  /**
   * Case {@code cw}, run right after {@code c} by both benches: {@code c}'s first load again into a
   * new table, over a new source scanned before it is timed as {@code c}'s was, so that what
   * differs from {@code c} is the JVM's JIT being warm. Returns rows per second.
   */
  static double firstLoadAgain(Cases cases, String url, Path dir, List<Window> windows, long rows)
      throws Exception {
    Pipeline again = pipeline(dir, "orders_again", WriteStrategy.MERGE);
    again.source().windows(again.windows());
    return cases.time(
        "cw",
        "c again into a new table: the JVM's JIT warm, the files scanned",
        rows,
        () -> idem(url, again, windows, RunOptions.defaults("cw")));
  }

  static RunReport idem(String url, Pipeline p, List<Window> windows, RunOptions options) {
    RunServices services = RunServices.defaults();
    try (JdbcDestination d =
        JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5))) {
      RunReport r = new Runner(d, services).run(p, windows, options);
      for (WindowOutcome o : r.outcomes()) {
        if (o.result() == WindowOutcome.Result.FAILED) {
          throw new IllegalStateException("window " + o.window() + " failed: " + o.message());
        }
      }
      return r;
    }
  }

  /**
   * {@code scan DIR [ROUNDS]}: lists the day windows of the orders files in {@code DIR} with a new
   * source each round (nothing remembered between rounds), printing each round's wall and CPU time;
   * the later rounds are the JIT-warm cost of parsing every file once.
   */
  private static void scan(Path dir, int rounds) throws IOException {
    CpuClock cpu = CpuClock.jvmOnly();
    for (int i = 1; i <= rounds; i++) {
      Pipeline p = pipeline(dir, "scan", WriteStrategy.MERGE);
      double c0 = cpu.jvm();
      long t0 = System.nanoTime();
      int windows = p.source().windows(p.windows()).size();
      System.out.printf(
          Locale.ROOT,
          "round %d: %d windows, %.2f s, cpu %.2f s%n",
          i,
          windows,
          (System.nanoTime() - t0) / 1e9,
          cpu.jvm() - c0);
    }
  }

  private static void load(Path dir, String url, String table) throws IOException {
    Pipeline p = pipeline(dir, table, WriteStrategy.REPLACE_WINDOW);
    RunReport r = idem(url, p, p.source().windows(p.windows()), RunOptions.defaults("bench-load"));
    System.out.println(
        "loaded "
            + r.outcomes().size()
            + " windows, max heap "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024)
            + " MB");
  }

  private void run(long rows, long bigRows) throws Exception {
    Path work = Files.createTempDirectory("idem-bench");
    Path small = work.resolve("small");
    Path big = work.resolve("big");
    int bigDays = (int) (DAYS_SMALL * bigRows / rows);
    System.out.printf(
        Locale.ROOT,
        "generating %,d rows in %d daily files and %,d rows in %d daily files under %s%n",
        rows,
        DAYS_SMALL,
        bigRows,
        bigDays,
        work);
    OrdersGenerator.generate(small, rows, DAYS_SMALL, 42);
    if (bigRows > 0) {
      OrdersGenerator.generate(big, bigRows, bigDays, 43);
    }
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("max_wal_size", "4GB")
            .setServerConfig("shared_buffers", "512MB");
    String slow =
        System.getenv("IDEM_BENCH_LOG_STATEMENTS_MS"); // to see which statements take the time
    if (slow != null) {
      builder.setServerConfig("log_min_duration_statement", slow);
    }
    try (EmbeddedPostgres pg = builder.start()) {
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres";
      System.out.println(
          "PostgreSQL "
              + scalar(url, "SHOW server_version")
              + ", "
              + Runtime.getRuntime().availableProcessors()
              + " cores, fsync "
              + scalar(url, "SHOW fsync")
              + ", synchronous_commit "
              + scalar(url, "SHOW synchronous_commit"));
      Cases cases = new Cases(CpuClock.of(url), REPEATS);

      double a =
          cases.time(
              "a",
              "raw COPY into a keyed table (non-idempotent limit)",
              rows,
              () -> {
                rawCopy(url, small);
                return null;
              });
      double aw =
          cases.time(
              "aw",
              "raw COPY per day into idem's table shape, a commit per day",
              rows,
              () -> {
                rawCopyPerFile(url, small);
                return null;
              });
      double b =
          cases.time(
              "b",
              "pgjdbc batched upsert, reWriteBatchedInserts, 1000/batch",
              rows,
              () -> {
                batchedUpsert(url, small);
                return null;
              });
      Pipeline merge = pipeline(small, "orders_merge", WriteStrategy.MERGE);
      List<List<Window>> scanned = new ArrayList<>();
      double s =
          cases.time(
              "s",
              "scan: which day windows the files hold (a first load's planning; not in c)",
              rows,
              () -> {
                scanned.add(merge.source().windows(merge.windows()));
                return null;
              });
      List<Window> windows = scanned.get(0);
      double c =
          cases.time(
              "c",
              "idem merge, first load",
              rows,
              () -> idem(url, merge, windows, RunOptions.defaults("c")));
      double cw = firstLoadAgain(cases, url, small, windows, rows);
      Pipeline merge2 = pipeline(small, "orders_merge2", WriteStrategy.MERGE);
      cases.time(
          "c2",
          "idem merge, first load, --parallel 2",
          rows,
          () -> idem(url, merge2, windows, RunOptions.defaults("c2").withParallel(2)));
      double d =
          cases.time(
              "d",
              "idem re-run, input unchanged",
              rows,
              () -> idem(url, merge, windows, RunOptions.defaults("d")));
      double e =
          cases.time(
              "e",
              "idem re-run with --force (nothing rewritten)",
              rows,
              () -> idem(url, merge, windows, RunOptions.defaults("e").forced()));

      // c50: the same first load into a table holding half of every window's keys already, owned
      // by another window, so that no window can be copied straight into the target (on
      // PostgreSQL each one falls back to the staged merge)
      Pipeline half = pipeline(small, "orders_half", WriteStrategy.MERGE);
      idem(url, half, windows, RunOptions.defaults("c50-setup"));
      scalar(
          url,
          "WITH d AS (DELETE FROM orders_half WHERE order_id % 2 = 1 RETURNING 1),"
              + " u AS (UPDATE orders_half SET _idem_window = 'seed', _idem_window_order = 'seed'"
              + " RETURNING 1) SELECT (SELECT count(*) FROM d) + (SELECT count(*) FROM u)");
      double c50 =
          cases.time(
              "c50",
              "idem merge, 50% of each window's keys in the target already",
              rows,
              () -> idem(url, half, windows, RunOptions.defaults("c50").forced()));

      Pipeline rw1 = pipeline(small, "orders_rw", WriteStrategy.REPLACE_WINDOW);
      idem(url, rw1, rw1.source().windows(rw1.windows()), RunOptions.defaults("setup"));
      Window day = rw1.windows().window(OrdersGenerator.FIRST_DAY.plusDays(7).toString());
      long dayRows = rows / DAYS_SMALL;
      double f1 =
          cases.median(
              "f1M",
              "replace_window of one day in a " + human(rows) + "-row table",
              dayRows,
              () -> idem(url, rw1, List.of(day), RunOptions.defaults("f1").forced()));

      double g = 0;
      double f10 = 0;
      if (bigRows > 0) {
        g =
            cases.time(
                "g",
                "idem replace_window load of " + human(bigRows) + " rows in a child JVM, -Xmx256m",
                bigRows,
                () -> {
                  child(big, url, "orders_big");
                  return null;
                });
        Pipeline rw10 = pipeline(big, "orders_big", WriteStrategy.REPLACE_WINDOW);
        // Which files hold which day is learnt by one scan of the input per process (untimed here,
        // as for f1M, whose source was scanned by its setup load): f measures the write, not the
        // scan.
        rw10.source().windows(rw10.windows());
        f10 =
            cases.median(
                "f10M",
                "replace_window of one day in a " + human(bigRows) + "-row table",
                bigRows / bigDays,
                () -> idem(url, rw10, List.of(day), RunOptions.defaults("f10").forced()));
      }

      cases.table();
      ratio("c/a  (target >= 0.5)", c, a);
      ratio("c/a  in CPU (rows per CPU second)", cases.cpu("a"), cases.cpu("c"));
      ratio("c/aw (into idem's table shape, a commit per day)", c, aw);
      ratio("(s+c)/a (a first load with its scan)", rows / (rows / c + rows / s), a);
      ratio("cw/a (c with the JIT warm)", cw, a);
      ratio("cw/a in CPU", cases.cpu("a"), cases.cpu("cw"));
      ratio("c/b  (target >= 3)", c, b);
      ratio("c50/c time", seconds(c50, rows), seconds(c, rows));
      ratio("d/c  time (target <= 0.05)", seconds(d, rows), seconds(c, rows));
      ratio("e/c  time (target <= 0.9)", seconds(e, rows), seconds(c, rows));
      if (bigRows > 0) {
        ratio(
            "f10M/f1M time (target <= 1.3)", seconds(f10, bigRows / bigDays), seconds(f1, dayRows));
        System.out.println("(g) completed under -Xmx256m: " + (g > 0));
      }
      System.out.println("f1M and f10M: median of " + REPEATS + " runs");
    }
  }

  private static double seconds(double rowsPerSecond, long rows) {
    return rows / rowsPerSecond;
  }

  private static void ratio(String name, double x, double y) {
    System.out.printf(Locale.ROOT, "%-50s %8.3f%n", name, x / y);
  }

  private static String human(long n) {
    return n % 1_000_000 == 0
        ? n / 1_000_000 + "M"
        : n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }

  private static String scalar(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
    }
  }

  private static void rawCopy(String url, Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      c.createStatement().execute("CREATE TABLE raw_copy " + DDL);
      c.setAutoCommit(false);
      var copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (Path f : files(dir)) {
        try (InputStream in = Files.newInputStream(f)) {
          copy.copyIn("COPY raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", in);
        }
      }
      c.commit();
    }
  }

  /**
   * {@link #rawCopy} into the table shape idem writes (its lineage columns, filled with the day by
   * their defaults, and the lineage column's index), each file in a transaction of its own as idem
   * commits each window: the limit for the same table and the same commits.
   */
  private static void rawCopyPerFile(String url, Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE raw_shape " + DDL.substring(0, DDL.length() - 1) + LINEAGE + ")");
      s.execute("CREATE INDEX raw_shape_window ON raw_shape (_idem_window)");
      c.setAutoCommit(false);
      var copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (Path f : files(dir)) {
        String day = day(f);
        s.execute("ALTER TABLE raw_shape ALTER COLUMN _idem_window SET DEFAULT '" + day + "'");
        s.execute(
            "ALTER TABLE raw_shape ALTER COLUMN _idem_window_order SET DEFAULT '" + day + "'");
        try (InputStream in = Files.newInputStream(f)) {
          copy.copyIn(
              "COPY raw_shape (order_id, customer, product, quantity, amount, status, updated_at)"
                  + " FROM STDIN WITH (FORMAT csv, HEADER true)",
              in);
        }
        c.commit();
      }
    }
  }

  /** The day a generated file holds: {@code orders-2024-01-01.csv}. */
  static String day(Path file) {
    String name = file.getFileName().toString();
    return name.substring("orders-".length(), name.length() - ".csv".length());
  }

  private static void batchedUpsert(String url, Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection(url + "&reWriteBatchedInserts=true")) {
      c.createStatement().execute("CREATE TABLE batched " + DDL);
      c.setAutoCommit(false);
      CsvSource source = new CsvSource(new FileSet(dir, "orders-*.csv"), ORDERS, CsvFormat.DEFAULT);
      try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO batched VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET"
                      + " customer = EXCLUDED.customer, product = EXCLUDED.product, quantity = EXCLUDED.quantity, amount = EXCLUDED.amount,"
                      + " status = EXCLUDED.status, updated_at = EXCLUDED.updated_at");
          RecordReader reader = source.read(WindowSpec.full(), Window.full())) {
        int n = 0;
        for (SourceRecord r = reader.next(); r != null; r = reader.next()) {
          for (int i = 0; i < 7; i++) {
            ps.setObject(i + 1, r.values()[i]);
          }
          ps.addBatch();
          if (++n % 1000 == 0) {
            ps.executeBatch();
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
    }
  }

  private static void child(Path dir, String url, String table) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Bench.class.getName(),
                "load",
                dir.toString(),
                url,
                table)
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("the -Xmx256m load failed with exit code " + p.exitValue());
    }
  }
}
