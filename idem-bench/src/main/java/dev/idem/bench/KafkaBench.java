package dev.idem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.DataException;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.json.JsonObjects;
import dev.idem.kafka.KafkaBroker;
import dev.idem.kafka.KafkaDestination;
import dev.idem.kafka.KafkaDestinationConfig;
import dev.idem.kafka.KafkaSource;
import dev.idem.kafka.KafkaSourceConfig;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.RunServices;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka to PostgreSQL on one in-process KRaft broker and one embedded PostgreSQL, same run, same
 * topic, a fresh table per case:
 *
 * <ul>
 *   <li>k1: idem exactly-once: {@link KafkaSource} offsets windows of {@code max_records}, {@code merge}
 *       (upsert, latest {@code ts} wins), each window's end offset committed in the ledger with its
 *       rows; k1p the same with {@code --parallel 2};
 *   <li>k2: at-least-once with idem's pieces: one consumer in a consumer group, {@code max_records}
 *       records per batch loaded as a {@code batch} window through the same staging and merge path,
 *       then {@code commitSync} of the group's offsets after the database commit (no positions in the ledger);
 *   <li>k3: a plain consumer: poll, batched {@code INSERT ... ON CONFLICT DO UPDATE} with
 *       {@code reWriteBatchedInserts=true}, database commit, {@code commitSync}, per poll of 5,000
 *       (k3d: of 500, Kafka's default);
 *   <li>k4, k5, k5s: producing the same messages to a topic: an idempotent producer without
 *       transactions, a transactional one with transactions of {@code max_records} and of 1,000;
 *   <li>k6: idem's Kafka destination producing the orders, typed in memory, in windows of
 *       {@code max_records} rows, a transaction each.
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
 * <p>{@code -Didem.bench.cases=k1,k3} runs some cases only; {@code -Didem.bench.pg.NAME=VALUE}
 * sets a PostgreSQL setting.
 */
final class KafkaBench {
  static final Schema ORDERS = Schema.of(Column.of("id", DataType.INTEGER), Column.of("customer", DataType.STRING),
      Column.of("amount", DataType.decimal(12, 2)), Column.of("ts", DataType.TIMESTAMP));
  static final int PARTITIONS = 4;
  /** Records per poll, for idem's source (its default) and the group consumers. */
  static final int POLL_RECORDS = 5_000;
  static final int TX_SMALL = 1_000;

  private final KafkaBroker broker;
  private final String url;
  private final Messages messages;
  private final long maxRecords;
  private final String topic;
  private final CpuClock cpu;
  private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
  private final Map<String, List<Double>> cpuSeconds = new LinkedHashMap<>();
  private final Map<String, String> what = new LinkedHashMap<>();

  private KafkaBench(KafkaBroker broker, String url, Messages messages, long maxRecords, String topic) throws Exception {
    this.cpu = CpuClock.of(url);
    this.broker = broker;
    this.url = url;
    this.messages = messages;
    this.maxRecords = maxRecords;
    this.topic = topic;
  }

  static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long maxRecords = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
    KafkaBroker broker = KafkaBroker.shared(); // first: it quiets Kafka's logging
    System.out.printf(Locale.ROOT, "generating %,d JSON orders%n", n);
    Messages messages = Messages.generate(n, 42);
    System.out.printf(Locale.ROOT, "%,d distinct ids (%,d messages update an earlier order)%n", messages.distinct, n - messages.distinct);
    // autovacuum off, and a CHECKPOINT before each case: one case's cleanup and dirty pages are not billed to the next
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "4GB").setServerConfig("shared_buffers", "512MB")
        .setServerConfig("autovacuum", "off");
    // to see where PostgreSQL's time goes: -Didem.bench.pg.logging_collector=on -Didem.bench.pg.log_directory=/tmp/pglog
    // -Didem.bench.pg.log_min_duration_statement=100 (the server's output is not shown once it has started)
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("idem.bench.pg."))
        .forEach(k -> builder.setServerConfig(k.substring("idem.bench.pg.".length()), System.getProperty(k)));
    try (EmbeddedPostgres pg = builder.start()) {
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres";
      System.out.println("PostgreSQL " + scalar(url, "SHOW server_version") + ", Kafka broker " + broker.bootstrapServers() + ", "
          + Runtime.getRuntime().availableProcessors() + " cores, fsync " + scalar(url, "SHOW fsync"));
      String topic = "orders";
      createTopic(broker, topic);
      long t0 = System.nanoTime();
      produce(broker, topic, messages, Transactions.NONE, 0);
      System.out.printf(Locale.ROOT, "produced %,d messages into %s (%d partitions) in %.1f s%n", n, topic, PARTITIONS, (System.nanoTime() - t0) / 1e9);
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
    List<Case> cases = new ArrayList<>(List.of(
        new Case("k1", "idem exactly-once, merge, windows of " + window + " offsets, positions in the ledger", () -> exactlyOnce(run, 1)),
        new Case("k1p", "the same with --parallel 2 (one partition's window stages while another's applies)", () -> exactlyOnce(run, 2)),
        new Case("k2", "idem pieces at-least-once: group consumer, " + window + "-record batch windows, merge, commitSync after", () -> atLeastOnce(run)),
        new Case("k3", "plain consumer, batched INSERT ON CONFLICT DO UPDATE, " + POLL_RECORDS + "/poll, commitSync per poll",
            () -> plainConsumer(run, POLL_RECORDS)),
        new Case("k3d", "the same with Kafka's default max.poll.records (500)", () -> plainConsumer(run, 500)),
        new Case("k4", "idempotent producer, no transactions", () -> produce(broker, topic + "-k4-" + run, messages, Transactions.NONE, 0)),
        new Case("k5", "transactional producer, " + window + " messages per transaction",
            () -> produce(broker, topic + "-k5-" + run, messages, Transactions.ON, maxRecords)),
        new Case("k5s", "transactional producer, " + human(TX_SMALL) + " messages per transaction",
            () -> produce(broker, topic + "-k5s-" + run, messages, Transactions.ON, TX_SMALL)),
        new Case("k6", "idem Kafka destination, append, " + window + "-record batch windows (a transaction each), typed rows in memory",
            () -> idemToKafka(run))));
    for (String sink : List.of("-k4-", "-k5-", "-k5s-", "-k6-")) {
      createTopic(broker, topic + sink + run); // untimed; a producer that races a topic's creation can get stuck (see createTopic)
    }
    if (selected("k6")) {
      typedRows(); // untimed: k6 starts from typed rows
    }
    Collections.rotate(cases, -run);
    for (Case c : cases) {
      time(c.id, c.what, c.work);
    }
  }

  private record Case(String id, String what, Work work) {}

  private void report(int runs) {
    System.out.println();
    System.out.printf(Locale.ROOT, "%,d messages, %d partitions, median of %d runs%n", messages.size(), PARTITIONS, runs);
    System.out.printf(Locale.ROOT, "%-4s %-100s %10s %8s %8s  %s%n", "case", "what", "msg/s", "seconds", "CPU s", "runs (s)");
    Map<String, Double> rate = new HashMap<>();
    Map<String, Double> perCpu = new HashMap<>();
    for (String id : what.keySet()) {
      double median = median(seconds.get(id));
      double cpuMedian = median(cpuSeconds.get(id));
      rate.put(id, messages.size() / median);
      perCpu.put(id, messages.size() / cpuMedian);
      System.out.printf(Locale.ROOT, "%-4s %-100s %,10.0f %8.2f %8.2f  %s%n", id, what.get(id), messages.size() / median, median,
          cpuMedian, seconds.get(id));
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

  private static void ratio(Map<String, Double> rate, Map<String, Double> perCpu, String x, String y, double target) {
    if (!rate.containsKey(x) || !rate.containsKey(y)) {
      return;
    }
    double value = rate.get(x) / rate.get(y);
    System.out.printf(Locale.ROOT, "%-22s %8.3f   %-12s %8.3f%n", x + "/" + y, value,
        target <= 0 ? "" : (value >= target ? "met" : "not met") + " (>=" + target + ")", perCpu.get(x) / perCpu.get(y));
  }

  private static double median(List<Double> values) {
    double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  interface Work {
    void run() throws Exception;
  }

  /** Whether the case runs: every case, or those named by {@code -Didem.bench.cases=k1,k2} (to profile some). */
  private static boolean selected(String id) {
    String only = System.getProperty("idem.bench.cases");
    return only == null || Arrays.asList(only.split(",")).contains(id);
  }

  private void time(String id, String description, Work work) throws Exception {
    if (!selected(id)) {
      return;
    }
    what.put(id, description);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
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
    System.out.printf(Locale.ROOT, "%.2f s, %,.0f msg/s, CPU %.2f s (JVM %.2f, PostgreSQL %.2f)%n", s, messages.size() / s, c, jvm, pg);
  }

  // ---- k1: idem exactly-once ------------------------------------------------------------------

  private void exactlyOnce(int run, int parallel) throws Exception {
    String table = "orders_k1_" + parallel + "_" + run;
    KafkaSourceConfig config = KafkaSourceConfig.of(broker.bootstrapServers(), topic).withMaxRecords(maxRecords);
    Pipeline p = Pipeline.builder("k1-" + parallel + "-" + run).version("1").source(new KafkaSource(ORDERS, config)).windows(WindowSpec.offsets())
        .table(table).key("id").orderBy("ts").strategy(WriteStrategy.MERGE).build();
    RunServices services = RunServices.defaults();
    try (JdbcDestination d = JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5))) {
      requireOk(new Runner(d, services).runStream(p, RunOptions.defaults("k1-" + run).withParallel(parallel), StreamOptions.untilCaughtUp()));
    }
    messages.check(url, table);
  }

  private static void requireOk(RunReport report) {
    for (WindowOutcome o : report.outcomes()) {
      if (o.result() != WindowOutcome.Result.LOADED) {
        throw new IllegalStateException("window " + o.window() + " " + o.result() + ": " + o.message());
      }
    }
  }

  // ---- k2: at-least-once with idem's pieces ---------------------------------------------------

  /**
   * What a user would build from idem's pieces without its stream source: a consumer group reads,
   * each {@code max_records} records are loaded as one {@code batch} window through the same
   * staging and merge (a ledger row per batch, no source position), and the group's offsets are
   * committed after the database commit. A crash between the two reloads the batch: at least once,
   * made harmless here only by the upsert.
   */
  private void atLeastOnce(int run) throws Exception {
    String table = "orders_k2_" + run;
    Batches batches = new Batches(topic);
    Pipeline p = Pipeline.builder("k2-" + run).version("1").source(batches).windows(WindowSpec.batch())
        .table(table).key("id").orderBy("ts").strategy(WriteStrategy.MERGE).build();
    RunServices services = RunServices.defaults();
    try (JdbcDestination d = JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5));
         KafkaConsumer<byte[], byte[]> consumer = groupConsumer("k2-" + run, POLL_RECORDS)) {
      Runner runner = new Runner(d, services);
      Map<TopicPartition, Long> end = endOffsets(consumer);
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> buffer = new ArrayList<>();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      int batch = 0;
      while (true) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          buffer.add(r);
          offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        boolean caughtUp = caughtUp(consumer, end);
        if (buffer.size() >= maxRecords || (caughtUp && !buffer.isEmpty())) {
          batches.current.set(buffer);
          requireOk(runner.run(p, List.of(Window.batch("k2-" + run + "-" + ++batch)), RunOptions.defaults("k2-" + run)));
          consumer.commitSync(offsets);
          buffer = new ArrayList<>();
          offsets = new HashMap<>();
        }
        if (caughtUp && buffer.isEmpty()) {
          break;
        }
      }
    }
    messages.check(url, table);
  }

  /** The batch in hand, as a source of one window: each value mapped as idem's Kafka source maps it. */
  private static final class Batches implements dev.idem.source.Source {
    final AtomicReference<List<ConsumerRecord<byte[], byte[]>>> current = new AtomicReference<>(List.of());
    private final String topic;

    Batches(String topic) {
      this.topic = topic;
    }

    @Override
    public Schema schema() {
      return ORDERS;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return List.of();
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      var records = current.get().iterator();
      return new RecordReader() {
        @Override
        public SourceRecord next() {
          return records.hasNext() ? map(records.next()) : null;
        }

        @Override
        public void close() {}
      };
    }

    private static SourceRecord map(ConsumerRecord<byte[], byte[]> r) {
      String position = r.topic() + "-" + r.partition() + "@" + r.offset();
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(r.value())).toString();
      } catch (CharacterCodingException e) {
        return SourceRecord.bad(position, new String(r.value(), StandardCharsets.UTF_8), "the value is not valid UTF-8");
      }
      try {
        Object[] values = JsonObjects.parse(text, ORDERS, position);
        for (int i = 0; i < values.length; i++) {
          values[i] = ValueParser.convert(ORDERS.column(i), values[i]);
        }
        return new SourceRecord(values, position);
      } catch (DataException e) {
        return SourceRecord.bad(position, text, e.getMessage());
      }
    }

    @Override
    public String describe() {
      return "kafka topic " + topic + " json, at-least-once batches";
    }
  }

  // ---- k3: a plain consumer -------------------------------------------------------------------

  /** A message as the plain consumer reads it with Jackson. */
  record Order(long id, String customer, BigDecimal amount, String ts) {}

  /**
   * The consumer most people write: poll, upsert the batch with pgjdbc's batched inserts, commit
   * the database, then the group's offsets. A key twice in one multi-row INSERT fails it
   * ("ON CONFLICT DO UPDATE command cannot affect row a second time"), so each poll keeps the last
   * message of each key.
   */
  private void plainConsumer(int run, int pollRecords) throws Exception {
    String table = "orders_k3_" + pollRecords + "_" + run;
    ObjectMapper json = new ObjectMapper();
    try (Connection c = DriverManager.getConnection(url + "&reWriteBatchedInserts=true");
         KafkaConsumer<byte[], byte[]> consumer = groupConsumer("k3-" + pollRecords + "-" + run, pollRecords)) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, customer text, amount numeric(12,2), ts timestamp)");
      }
      c.setAutoCommit(false);
      Map<TopicPartition, Long> end = endOffsets(consumer);
      consumer.subscribe(List.of(topic));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, customer, amount, ts) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (id) DO UPDATE SET customer = EXCLUDED.customer, amount = EXCLUDED.amount, ts = EXCLUDED.ts")) {
        while (true) {
          ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
          if (!polled.isEmpty()) {
            Map<Long, Order> last = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : polled) {
              Order o = json.readValue(r.value(), Order.class);
              last.put(o.id(), o);
            }
            for (Order o : last.values()) {
              ps.setLong(1, o.id());
              ps.setString(2, o.customer());
              ps.setBigDecimal(3, o.amount());
              ps.setTimestamp(4, Timestamp.valueOf(LocalDateTime.parse(o.ts())));
              ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
            consumer.commitSync();
          }
          if (caughtUp(consumer, end)) {
            break;
          }
        }
      }
    }
    messages.check(url, table);
  }

  // ---- k4, k5: producers ----------------------------------------------------------------------

  enum Transactions { NONE, ON }

  /** Sends every message (key = order id) and waits for every ack; with transactions, commits every {@code perTransaction}. */
  private static void produce(KafkaBroker broker, String topic, Messages messages, Transactions tx, long perTransaction) {
    Map<String, Object> config = broker.producerConfig();
    if (tx == Transactions.ON) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + topic);
    }
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      if (tx == Transactions.ON) {
        producer.initTransactions();
        producer.beginTransaction();
      }
      for (int i = 0; i < messages.size(); i++) {
        producer.send(new ProducerRecord<>(topic, messages.keys[i], messages.values[i]), (m, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        });
        if (tx == Transactions.ON && (i + 1) % perTransaction == 0) {
          producer.commitTransaction();
          producer.beginTransaction();
        }
      }
      if (tx == Transactions.ON) {
        producer.commitTransaction();
      } else {
        producer.flush();
      }
    }
    if (failed.get() != null) {
      throw new IllegalStateException("producing to " + topic + " failed: " + failed.get(), failed.get());
    }
  }

  // ---- k6: idem's Kafka destination -----------------------------------------------------------

  /**
   * The orders, typed once (untimed) from their JSON, loaded by idem into a topic: windows of
   * {@code max_records} rows, each produced with its ledger marker in one transaction. idem builds
   * each message's JSON from the typed row (k4 and k5 send the prebuilt strings).
   */
  private void idemToKafka(int run) throws Exception {
    String out = topic + "-k6-" + run;
    Rows rows = new Rows(typedRows(), maxRecords);
    Pipeline p = Pipeline.builder("k6-" + run).version("1").source(rows).windows(WindowSpec.batch())
        .table(out).key("id").strategy(WriteStrategy.APPEND).build();
    KafkaDestinationConfig config = KafkaDestinationConfig.of(broker.bootstrapServers()).withLedgerTopic("_idem_k6_" + run)
        .withIdPrefix("bench-k6-" + run).withPartitions(PARTITIONS);
    RunServices services = RunServices.defaults();
    try (KafkaDestination d = KafkaDestination.open(config, services)) {
      requireOk(new Runner(d, services).run(p, rows.windows(WindowSpec.batch()), RunOptions.defaults("k6-" + run)));
    }
    long committed = countCommitted(out);
    if (committed != messages.size()) {
      throw new IllegalStateException(out + " holds " + committed + " committed records, expected " + messages.size());
    }
  }

  private Object[][] typed;

  private Object[][] typedRows() {
    if (typed == null) {
      typed = new Object[messages.size()][];
      for (int i = 0; i < typed.length; i++) {
        Object[] values = JsonObjects.parse(messages.values[i], ORDERS, "message " + i);
        for (int c = 0; c < values.length; c++) {
          values[c] = ValueParser.convert(ORDERS.column(c), values[c]);
        }
        typed[i] = values;
      }
    }
    return typed;
  }

  /** Rows in memory as batch windows of {@code size} rows, {@code w000001} onwards. */
  private static final class Rows implements dev.idem.source.Source {
    private final Object[][] rows;
    private final long size;

    Rows(Object[][] rows, long size) {
      this.rows = rows;
      this.size = size;
    }

    @Override
    public Schema schema() {
      return ORDERS;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      List<Window> windows = new ArrayList<>();
      for (long from = 0; from < rows.length; from += size) {
        windows.add(Window.batch(String.format(Locale.ROOT, "w%06d", from / size + 1)));
      }
      return windows;
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      long from = (Long.parseLong(window.id().substring(1)) - 1) * size;
      int end = (int) Math.min(rows.length, from + size);
      return new RecordReader() {
        private int next = (int) from;

        @Override
        public SourceRecord next() {
          return next < end ? new SourceRecord(rows[next], "row " + next++) : null;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String describe() {
      return "orders in memory";
    }
  }

  /** The records a read_committed consumer sees in the topic. */
  private long countCommitted(String name) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(broker.consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(name).stream().map(i -> new TopicPartition(name, i.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long n = 0;
      while (!caughtUp(c, end)) {
        n += c.poll(Duration.ofMillis(200)).count();
      }
      return n;
    }
  }

  // ---- shared ---------------------------------------------------------------------------------

  /**
   * Creates a topic and waits until every partition answers for its offsets, that is until the
   * broker leads it. An idempotent producer that sends while a new partition's leader is not yet
   * in place gets NOT_LEADER_OR_FOLLOWER for its first batch, the later batches are appended, and
   * the first one then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen
   * here with Kafka 4.1.1).
   */
  static void createTopic(KafkaBroker broker, String name) {
    broker.createTopic(name, PARTITIONS);
    Map<String, Object> c = broker.consumerConfig();
    try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.size() < PARTITIONS) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + name + " has " + partitions.size() + " of " + PARTITIONS + " partitions after 30 s");
        }
        partitions = probe.partitionsFor(name, Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(name, i.partition())).toList();
      }
      probe.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  private KafkaConsumer<byte[], byte[]> groupConsumer(String group, int pollRecords) {
    Map<String, Object> c = broker.consumerConfig();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + group);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, pollRecords);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private Map<TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> consumer) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    return consumer.endOffsets(partitions);
  }

  private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    if (!consumer.assignment().containsAll(end.keySet())) {
      return false;
    }
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static String scalar(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * CPU time of this JVM (the broker included) plus PostgreSQL's: the postmaster, its live children
   * and the children it has reaped (connections closed). On a machine shared with other work, CPU
   * time varies much less than wall time.
   */
  static final class CpuClock {
    private static final double TICKS = 100; // USER_HZ, 100 on Linux
    private final long postmaster;

    private CpuClock(long postmaster) {
      this.postmaster = postmaster;
    }

    static CpuClock of(String url) throws Exception {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        long[] st = stat(rs.getLong(1)); // read while the backend lives: its parent is the postmaster
        return new CpuClock(st == null ? -1 : st[0]);
      }
    }

    double jvm() {
      return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    double postgres() {
      if (postmaster < 0) {
        return 0;
      }
      long ticks = 0;
      java.io.File[] procs = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
      for (java.io.File f : procs == null ? new java.io.File[0] : procs) {
        long pid = Long.parseLong(f.getName());
        long[] st = stat(pid);
        if (st == null) {
          continue;
        }
        if (pid == postmaster) {
          ticks += st[1] + st[2];
        } else if (st[0] == postmaster) {
          ticks += st[1];
        }
      }
      return ticks / TICKS;
    }

    /** [ppid, own utime+stime, reaped children's cutime+cstime] of a process, or null if gone. */
    private static long[] stat(long pid) {
      try {
        String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  static String human(long n) {
    return n % 1_000_000 == 0 ? n / 1_000_000 + "M" : n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }

  /**
   * Deterministic orders as JSON: a quarter of the messages update one of the 50,000 most recent
   * orders (a new customer, amount and a later {@code ts}), the rest are new orders. The key is
   * the order id, so an order's versions are in one partition, in order.
   */
  static final class Messages {
    final String[] keys;
    final String[] values;
    final long distinct;
    /** The expected final table: sum of amounts, sum of ts in epoch milliseconds (as UTC). */
    private final BigDecimal amounts;
    private final long millis;

    private Messages(String[] keys, String[] values, long distinct, BigDecimal amounts, long millis) {
      this.keys = keys;
      this.values = values;
      this.distinct = distinct;
      this.amounts = amounts;
      this.millis = millis;
    }

    int size() {
      return keys.length;
    }

    static Messages generate(int n, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      String[] keys = new String[n];
      String[] values = new String[n];
      int recentSize = 50_000;
      long[] recent = new long[recentSize];
      long nextId = 1;
      Map<Long, long[]> last = new HashMap<>(); // id -> [amount in cents, ts millis]
      LocalDateTime start = LocalDateTime.of(2024, 3, 1, 0, 0);
      long startMillis = start.toEpochSecond(java.time.ZoneOffset.UTC) * 1000;
      java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS");
      StringBuilder b = new StringBuilder(96);
      for (int i = 0; i < n; i++) {
        long id;
        if (nextId > 1 && random.nextInt(4) == 0) {
          id = recent[random.nextInt((int) Math.min(nextId - 1, recentSize))];
        } else {
          id = nextId++;
          recent[(int) ((id - 1) % recentSize)] = id;
        }
        long cents = random.nextInt(10_000_000);
        long millis = startMillis + i;
        String ts = start.plus(Duration.ofMillis(i)).format(format);
        b.setLength(0);
        b.append("{\"id\":").append(id).append(",\"customer\":\"c").append(random.nextInt(100_000)).append("\",\"amount\":")
            .append(cents / 100).append('.').append(cents % 100 < 10 ? "0" : "").append(cents % 100).append(",\"ts\":\"").append(ts).append("\"}");
        keys[i] = Long.toString(id);
        values[i] = b.toString();
        last.put(id, new long[] {cents, millis});
      }
      long cents = 0;
      long millis = 0;
      for (long[] v : last.values()) {
        cents += v[0];
        millis += v[1];
      }
      return new Messages(keys, values, last.size(), BigDecimal.valueOf(cents, 2), millis);
    }

    /** The table holds exactly the latest version of every order. */
    void check(String url, String table) throws Exception {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT count(*), sum(amount), sum((extract(epoch FROM ts) * 1000)::bigint) FROM " + table)) {
        rs.next();
        long rows = rs.getLong(1);
        BigDecimal sum = rs.getBigDecimal(2);
        long ts = rs.getLong(3);
        if (rows != distinct || sum.compareTo(amounts) != 0 || ts != millis) {
          throw new IllegalStateException(table + " holds " + rows + " rows, amounts " + sum + ", ts " + ts + "; expected " + distinct + ", "
              + amounts + ", " + millis);
        }
      }
    }
  }
}
