package dev.idem.bench;

import dev.idem.bench.ProducerCases.Transactions;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.kafka.KafkaBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kafka to PostgreSQL on one in-process KRaft broker and one embedded PostgreSQL, same run, same
 * topic, a fresh table per case:
 *
 * <ul>
 *   <li>k1: idem exactly-once: {@link KafkaSource} offsets windows of {@code max_records}, {@code
 *       merge} (upsert, latest {@code ts} wins), each window's end offset committed in the ledger
 *       with its rows; k1p the same with {@code --parallel 2};
 *   <li>k2: at-least-once with idem's pieces: one consumer in a consumer group, {@code max_records}
 *       records per batch loaded as a {@code batch} window through the same staging and merge path,
 *       then {@code commitSync} of the group's offsets after the database commit (no positions in
 *       the ledger);
 *   <li>k3: a plain consumer: poll, batched {@code INSERT ... ON CONFLICT DO UPDATE} with {@code
 *       reWriteBatchedInserts=true}, database commit, {@code commitSync}, per poll of 5,000 (k3d:
 *       of 500, Kafka's default);
 *   <li>k4, k5, k5s: producing the same messages to a topic: an idempotent producer without
 *       transactions, a transactional one with transactions of {@code max_records} and of 1,000;
 *   <li>k6: idem's Kafka destination producing the orders, typed in memory, in windows of {@code
 *       max_records} rows, a transaction each.
 * </ul>
 *
 * <p>Run 0 warms up and is not counted; then each case runs {@code runs} times, interleaved, the
 * order turning by one case per run, after a CHECKPOINT and a GC; medians of wall and CPU time
 * (this JVM with the broker, plus PostgreSQL's processes) are reported. After each load the table
 * is checked against the expected final state (rows, sum of amounts, sum of timestamps), so every
 * case is shown to compute the same thing; k6's topic is checked to hold every message once.
 *
 * <pre>java -jar idem-bench/target/idem-bench-*-all.jar kafka [messages] [runs] [max_records]</pre>
 *
 * <p>{@code -Didem.bench.cases=k1,k3} runs some cases only; {@code -Didem.bench.pg.NAME=VALUE} sets
 * a PostgreSQL setting.
 */
final class KafkaBench {
  static final Schema ORDERS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("ts", DataType.TIMESTAMP));
  static final int PARTITIONS = 4;

  /** Records per poll, for idem's source (its default) and the group consumers. */
  static final int POLL_RECORDS = 5_000;

  static final int TX_SMALL = 1_000;

  private final KafkaBroker broker;
  private final String url;
  private final OrderMessages messages;
  private final long maxRecords;
  private final String topic;
  private final CpuClock cpu;
  private final ConsumerCases consumers;
  private final ProducerCases producers;
  private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
  private final Map<String, List<Double>> cpuSeconds = new LinkedHashMap<>();
  private final Map<String, String> what = new LinkedHashMap<>();

  private KafkaBench(
      KafkaBroker broker, String url, OrderMessages messages, long maxRecords, String topic)
      throws Exception {
    this.cpu = CpuClock.of(url);
    this.broker = broker;
    this.url = url;
    this.messages = messages;
    this.maxRecords = maxRecords;
    this.topic = topic;
    this.consumers = new ConsumerCases(broker, url, messages, maxRecords, topic);
    this.producers = new ProducerCases(broker, messages, maxRecords, topic);
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long maxRecords = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
    KafkaBroker broker = KafkaBroker.shared(); // first: it quiets Kafka's logging
    System.out.printf(Locale.ROOT, "generating %,d JSON orders%n", n);
    OrderMessages messages = OrderMessages.generate(n, 42);
    System.out.printf(
        Locale.ROOT,
        "%,d distinct ids (%,d messages update an earlier order)%n",
        messages.distinct,
        n - messages.distinct);
    // autovacuum off, and a CHECKPOINT before each case: one case's cleanup and dirty pages are not
    // billed to the next
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("max_wal_size", "4GB")
            .setServerConfig("shared_buffers", "512MB")
            .setServerConfig("autovacuum", "off");
    // to see where PostgreSQL's time goes: -Didem.bench.pg.logging_collector=on
    // -Didem.bench.pg.log_directory=/tmp/pglog
    // -Didem.bench.pg.log_min_duration_statement=100 (the server's output is not shown once it has
    // started)
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("idem.bench.pg."))
        .forEach(
            k ->
                builder.setServerConfig(
                    k.substring("idem.bench.pg.".length()), System.getProperty(k)));
    try (EmbeddedPostgres pg = builder.start()) {
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres";
      System.out.println(
          "PostgreSQL "
              + scalar(url, "SHOW server_version")
              + ", Kafka broker "
              + broker.bootstrapServers()
              + ", "
              + Runtime.getRuntime().availableProcessors()
              + " cores, fsync "
              + scalar(url, "SHOW fsync"));
      String topic = "orders";
      BenchTopics.createTopic(broker, topic);
      long t0 = System.nanoTime();
      ProducerCases.produce(broker, topic, messages, Transactions.NONE, 0);
      System.out.printf(
          Locale.ROOT,
          "produced %,d messages into %s (%d partitions) in %.1f s%n",
          n,
          topic,
          PARTITIONS,
          (System.nanoTime() - t0) / 1e9);
      new KafkaBench(broker, url, messages, maxRecords, topic).run(runs);
    }
    System.exit(0); // the broker's shutdown hook stops it
  }

  private void run(int runs) throws Exception {
    System.out.println("run 0: warm-up (JIT, heap, page cache), not counted");
    pass(0);
    seconds.clear();
    cpuSeconds.clear();
    for (int r = 1; r <= runs; r++) {
      System.out.println("run " + r + " of " + runs);
      pass(r);
    }
    report(runs);
  }

  /**
   * Each case once; {@code run} names its tables, groups and topics. The order turns by one case
   * each run, so that no case always follows the same one (whose garbage, page cache and broker
   * work it would inherit).
   */
  private void pass(int run) throws Exception {
    String window = human(maxRecords);
    List<Case> cases =
        new ArrayList<>(
            List.of(
                new Case(
                    "k1",
                    "idem exactly-once, merge, windows of "
                        + window
                        + " offsets, positions in the ledger",
                    () -> consumers.exactlyOnce(run, 1)),
                new Case(
                    "k1p",
                    "the same with --parallel 2 (one partition's window stages while another's applies)",
                    () -> consumers.exactlyOnce(run, 2)),
                new Case(
                    "k2",
                    "idem pieces at-least-once: group consumer, "
                        + window
                        + "-record batch windows, merge, commitSync after",
                    () -> consumers.atLeastOnce(run)),
                new Case(
                    "k3",
                    "plain consumer, batched INSERT ON CONFLICT DO UPDATE, "
                        + POLL_RECORDS
                        + "/poll, commitSync per poll",
                    () -> consumers.plainConsumer(run, POLL_RECORDS)),
                new Case(
                    "k3d",
                    "the same with Kafka's default max.poll.records (500)",
                    () -> consumers.plainConsumer(run, 500)),
                new Case(
                    "k4",
                    "idempotent producer, no transactions",
                    () ->
                        ProducerCases.produce(
                            broker, topic + "-k4-" + run, messages, Transactions.NONE, 0)),
                new Case(
                    "k5",
                    "transactional producer, " + window + " messages per transaction",
                    () ->
                        ProducerCases.produce(
                            broker, topic + "-k5-" + run, messages, Transactions.ON, maxRecords)),
                new Case(
                    "k5s",
                    "transactional producer, " + human(TX_SMALL) + " messages per transaction",
                    () ->
                        ProducerCases.produce(
                            broker, topic + "-k5s-" + run, messages, Transactions.ON, TX_SMALL)),
                new Case(
                    "k6",
                    "idem Kafka destination, append, "
                        + window
                        + "-record batch windows (a transaction each), typed rows in memory",
                    () -> producers.idemToKafka(run))));
    for (String sink : List.of("-k4-", "-k5-", "-k5s-", "-k6-")) {
      BenchTopics.createTopic(
          broker,
          topic + sink
              + run); // untimed; a producer that races a topic's creation can get stuck (see
      // createTopic)
    }
    if (selected("k6")) {
      producers.typedRows(); // untimed: k6 starts from typed rows
    }
    Collections.rotate(cases, -run);
    for (Case c : cases) {
      time(c.id, c.what, c.work);
    }
  }

  private record Case(String id, String what, Work work) {}

  private void report(int runs) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%,d messages, %d partitions, median of %d runs%n",
        messages.size(),
        PARTITIONS,
        runs);
    System.out.printf(
        Locale.ROOT,
        "%-4s %-100s %10s %8s %8s  %s%n",
        "case",
        "what",
        "msg/s",
        "seconds",
        "CPU s",
        "runs (s)");
    Map<String, Double> rate = new HashMap<>();
    Map<String, Double> perCpu = new HashMap<>();
    for (String id : what.keySet()) {
      double median = median(seconds.get(id));
      double cpuMedian = median(cpuSeconds.get(id));
      rate.put(id, messages.size() / median);
      perCpu.put(id, messages.size() / cpuMedian);
      System.out.printf(
          Locale.ROOT,
          "%-4s %-100s %,10.0f %8.2f %8.2f  %s%n",
          id,
          what.get(id),
          messages.size() / median,
          median,
          cpuMedian,
          seconds.get(id));
    }
    System.out.println("(CPU s: this JVM, broker included, plus every PostgreSQL process)");
    System.out.println();
    System.out.println("ratio                       msg/s   target       msg per CPU s");
    ratio(rate, perCpu, "k1", "k2", 0.85);
    ratio(rate, perCpu, "k1", "k3", 2);
    ratio(rate, perCpu, "k1", "k3d", 2);
    ratio(rate, perCpu, "k1p", "k2", 0);
    ratio(rate, perCpu, "k1p", "k3", 0);
    ratio(rate, perCpu, "k5", "k4", 0);
    ratio(rate, perCpu, "k5s", "k4", 0);
    ratio(rate, perCpu, "k6", "k4", 0);
    ratio(rate, perCpu, "k6", "k5", 0);
  }

  private static void ratio(
      Map<String, Double> rate, Map<String, Double> perCpu, String x, String y, double target) {
    if (!rate.containsKey(x) || !rate.containsKey(y)) {
      return;
    }
    double value = rate.get(x) / rate.get(y);
    System.out.printf(
        Locale.ROOT,
        "%-22s %8.3f   %-12s %8.3f%n",
        x + "/" + y,
        value,
        target <= 0 ? "" : (value >= target ? "met" : "not met") + " (>=" + target + ")",
        perCpu.get(x) / perCpu.get(y));
  }

  private static double median(List<Double> values) {
    double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  interface Work {
    void run() throws Exception;
  }

  /**
   * Whether the case runs: every case, or those named by {@code -Didem.bench.cases=k1,k2} (to
   * profile some).
   */
  private static boolean selected(String id) {
    String only = System.getProperty("idem.bench.cases");
    return only == null || Arrays.asList(only.split(",")).contains(id);
  }

  private void time(String id, String description, Work work) throws Exception {
    if (!selected(id)) {
      return;
    }
    what.put(id, description);
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CHECKPOINT");
    }
    System.gc(); // the previous case's garbage is not collected on this one's time
    System.out.printf(Locale.ROOT, "  (%s) %s ... ", id, description);
    double jvm0 = cpu.jvm();
    double pg0 = cpu.postgres();
    long t0 = System.nanoTime();
    work.run();
    double s = (System.nanoTime() - t0) / 1e9;
    double jvm = cpu.jvm() - jvm0;
    double pg = cpu.postgres() - pg0;
    double c = jvm + pg;
    seconds.computeIfAbsent(id, k -> new ArrayList<>()).add(Math.round(s * 100) / 100.0);
    cpuSeconds.computeIfAbsent(id, k -> new ArrayList<>()).add(Math.round(c * 100) / 100.0);
    System.out.printf(
        Locale.ROOT,
        "%.2f s, %,.0f msg/s, CPU %.2f s (JVM %.2f, PostgreSQL %.2f)%n",
        s,
        messages.size() / s,
        c,
        jvm,
        pg);
  }

  private static String scalar(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static String human(long n) {
    return n % 1_000_000 == 0
        ? n / 1_000_000 + "M"
        : n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }
}
