package dev.idem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.kafka.KafkaSource;
import dev.idem.kafka.KafkaSourceConfig;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.run.WindowOutcome;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka bench's cases that consume the orders topic into PostgreSQL (see {@link KafkaBench}):
 * k1 idem exactly-once, k2 at-least-once with idem's pieces, k3 a plain consumer. Each loads a
 * fresh table and checks it against the expected final state.
 */
final class ConsumerCases {
  private final KafkaBroker broker;
  private final String url;
  private final OrderMessages messages;
  private final long maxRecords;
  private final String topic;

  ConsumerCases(
      KafkaBroker broker, String url, OrderMessages messages, long maxRecords, String topic) {
    this.broker = broker;
    this.url = url;
    this.messages = messages;
    this.maxRecords = maxRecords;
    this.topic = topic;
  }

  // ---- k1: idem exactly-once ------------------------------------------------------------------

  void exactlyOnce(int run, int parallel) throws Exception {
    String table = "orders_k1_" + parallel + "_" + run;
    KafkaSourceConfig config =
        KafkaSourceConfig.of(broker.bootstrapServers(), topic).withMaxRecords(maxRecords);
    Pipeline p =
        Pipeline.builder("k1-" + parallel + "-" + run)
            .version("1")
            .source(new KafkaSource(KafkaBench.ORDERS, config))
            .windows(WindowSpec.offsets())
            .table(table)
            .key("id")
            .orderBy("ts")
            .strategy(WriteStrategy.MERGE)
            .build();
    RunServices services = RunServices.defaults();
    try (JdbcDestination d =
        JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5))) {
      requireOk(
          new Runner(d, services)
              .runStream(
                  p,
                  RunOptions.defaults("k1-" + run).withParallel(parallel),
                  StreamOptions.untilCaughtUp()));
    }
    messages.check(url, table);
  }

  static void requireOk(RunReport report) {
    for (WindowOutcome o : report.outcomes()) {
      if (o.result() != WindowOutcome.Result.LOADED) {
        throw new IllegalStateException(
            "window " + o.window() + " " + o.result() + ": " + o.message());
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
  void atLeastOnce(int run) throws Exception {
    String table = "orders_k2_" + run;
    BatchSource batches = new BatchSource(topic);
    Pipeline p =
        Pipeline.builder("k2-" + run)
            .version("1")
            .source(batches)
            .windows(WindowSpec.batch())
            .table(table)
            .key("id")
            .orderBy("ts")
            .strategy(WriteStrategy.MERGE)
            .build();
    RunServices services = RunServices.defaults();
    try (JdbcDestination d =
            JdbcDestination.open(url, new Properties(), services, Duration.ofSeconds(5));
        KafkaConsumer<byte[], byte[]> consumer =
            groupConsumer("k2-" + run, KafkaBench.POLL_RECORDS)) {
      Runner runner = new Runner(d, services);
      Map<TopicPartition, Long> end = endOffsets(consumer);
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> buffer = new ArrayList<>();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      int batch = 0;
      while (true) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          buffer.add(r);
          offsets.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        boolean caughtUp = BenchTopics.caughtUp(consumer, end);
        if (buffer.size() >= maxRecords || (caughtUp && !buffer.isEmpty())) {
          batches.current.set(buffer);
          requireOk(
              runner.run(
                  p,
                  List.of(Window.batch("k2-" + run + "-" + ++batch)),
                  RunOptions.defaults("k2-" + run)));
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

  // ---- k3: a plain consumer -------------------------------------------------------------------

  /** A message as the plain consumer reads it with Jackson. */
  record Order(long id, String customer, BigDecimal amount, String ts) {}

  /**
   * The consumer most people write: poll, upsert the batch with pgjdbc's batched inserts, commit
   * the database, then the group's offsets. A key twice in one multi-row INSERT fails it ("ON
   * CONFLICT DO UPDATE command cannot affect row a second time"), so each poll keeps the last
   * message of each key.
   */
  void plainConsumer(int run, int pollRecords) throws Exception {
    String table = "orders_k3_" + pollRecords + "_" + run;
    ObjectMapper json = new ObjectMapper();
    try (Connection c = DriverManager.getConnection(url + "&reWriteBatchedInserts=true");
        KafkaConsumer<byte[], byte[]> consumer =
            groupConsumer("k3-" + pollRecords + "-" + run, pollRecords)) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE "
                + table
                + " (id bigint PRIMARY KEY, customer text, amount numeric(12,2), ts timestamp)");
      }
      c.setAutoCommit(false);
      Map<TopicPartition, Long> end = endOffsets(consumer);
      consumer.subscribe(List.of(topic));
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + table
                  + " (id, customer, amount, ts) VALUES (?, ?, ?, ?)"
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
          if (BenchTopics.caughtUp(consumer, end)) {
            break;
          }
        }
      }
    }
    messages.check(url, table);
  }

  private KafkaConsumer<byte[], byte[]> groupConsumer(String group, int pollRecords) {
    Map<String, Object> c = broker.consumerConfig();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + group);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, pollRecords);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private Map<TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> consumer) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    return consumer.endOffsets(partitions);
  }
}
