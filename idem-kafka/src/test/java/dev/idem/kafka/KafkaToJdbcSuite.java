package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.context.RunServices;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.OnBadValue;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.WindowSpec;
import dev.idem.window.WindowSpec.OffsetsId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Kafka topic loaded into a JDBC destination, exactly once: offsets windows planned from the
 * destination's ledger, which records each window's end in the window's own transaction. Every case
 * compares whole table contents with what a clean run gives, never counts alone.
 */
abstract class KafkaToJdbcSuite {
  static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("_kafka_partition", DataType.INTEGER));
  static final KafkaBroker BROKER = KafkaBroker.shared();
  static final int PARTITIONS = 3;
  static final long MAX_RECORDS = 40;

  /** A new, empty destination. */
  abstract JdbcDestination newDestination(RunServices services);

  /** Makes every live lease of the destination expire (a dead runner's). */
  abstract void expireLeases(JdbcDestination destination);

  static RunServices services(String owner) {
    return RunServices.defaults()
        .withOwner(owner)
        .withLeaseTtl(Duration.ofMinutes(5))
        .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
  }

  static String order(long id) {
    return "{\"order_id\": "
        + id
        + ", \"customer\": \"c"
        + (id % 7)
        + "\", \"amount\": \""
        + id
        + ".50\"}";
  }

  private static String shared;

  /**
   * The topic of {@link #topicWithOrders} for cases that only read it (each has a destination of
   * its own), made once per test JVM: producing it takes seconds.
   */
  static synchronized String sharedTopicWithOrders() {
    if (shared == null) {
      shared = topicWithOrders();
    }
    return shared;
  }

  /**
   * 300 orders spread by key over the partitions, an aborted transaction, and one record that is
   * not JSON.
   */
  static String topicWithOrders() {
    String topic = KafkaBroker.uniqueName("orders");
    BROKER.createTopic(topic, PARTITIONS);
    List<ProducerRecord<String, String>> first = new ArrayList<>();
    for (long id = 1; id <= 150; id++) {
      first.add(new ProducerRecord<>(topic, Long.toString(id), order(id)));
    }
    BROKER.produceCommittedRecords(first);
    BROKER.produceAbortedRecords(
        List.of(
            new ProducerRecord<>(topic, "999", order(999)),
            new ProducerRecord<>(topic, 1, "998", order(998))));
    BROKER.produceRecords(List.of(new ProducerRecord<>(topic, 0, "x", "not json {")));
    List<ProducerRecord<String, String>> second = new ArrayList<>();
    for (long id = 151; id <= 300; id++) {
      second.add(new ProducerRecord<>(topic, Long.toString(id), order(id)));
    }
    BROKER.produceCommittedRecords(second);
    return topic;
  }

  static Pipeline pipeline(String topic, WriteStrategy strategy) {
    KafkaSourceConfig config =
        KafkaSourceConfig.of(BROKER.bootstrapServers(), topic).withMaxRecords(MAX_RECORDS);
    return Pipeline.builder("orders")
        .version("1")
        .source(new KafkaSource(ORDERS, config))
        .windows(WindowSpec.offsets())
        .table("orders")
        .key("order_id")
        .strategy(strategy)
        .badRecords(new BadRecordPolicy(5, null))
        .build();
  }

  static RunReport drain(JdbcDestination d, Pipeline p, RunServices services) {
    return new Runner(d, services)
        .runStream(p, RunOptions.defaults("r"), StreamOptions.untilCaughtUp());
  }

  /** What the table holds after all 300 orders: one row per order, whatever the partition. */
  static List<String> expectedOrderIds(int upTo) {
    List<String> ids = new ArrayList<>();
    for (long id = 1; id <= upTo; id++) {
      ids.add(Long.toString(id));
    }
    return ids;
  }

  static List<String> orderIds(JdbcDestination d) {
    return TableSnapshot.rows(d, "(SELECT CAST(order_id AS VARCHAR) AS id FROM orders)").stream()
        .map(r -> r.substring(r.indexOf('=') + 1))
        .sorted(Comparator.comparingLong(Long::parseLong))
        .toList();
  }

  /**
   * Each partition's done windows form one gap-free chain from offset 0 to the partition's end:
   * every offset was loaded by exactly one window.
   */
  static void assertChainsCover(JdbcDestination d, String topic) {
    Map<Integer, TreeMap<Long, Long>> chains = new HashMap<>();
    for (WindowState s : d.ledger().states("orders")) {
      assertThat(s.status()).as(s.windowId()).isEqualTo(WindowStatus.DONE);
      OffsetsId id = OffsetsId.parse(s.windowId());
      assertThat(id.topic()).isEqualTo(topic);
      chains
          .computeIfAbsent(id.partition(), k -> new TreeMap<>())
          .put(id.start(), Long.parseLong(s.sourcePosition()));
      assertThat(s.counts().read() + 0).isLessThanOrEqualTo(MAX_RECORDS);
    }
    Map<TopicPartition, Long> ends = endOffsets(topic);
    for (var e : ends.entrySet()) {
      TreeMap<Long, Long> chain = chains.getOrDefault(e.getKey().partition(), new TreeMap<>());
      long pos = 0;
      for (var w : chain.entrySet()) {
        assertThat(w.getKey())
            .as("partition %s has a gap or overlap at %s", e.getKey(), pos)
            .isEqualTo(pos);
        pos = w.getValue();
      }
      assertThat(pos).as("partition %s loaded up to its end", e.getKey()).isEqualTo(e.getValue());
    }
  }

  static Map<TopicPartition, Long> endOffsets(String topic) {
    KafkaSource s = new KafkaSource(ORDERS, KafkaSourceConfig.of(BROKER.bootstrapServers(), topic));
    try (var consumer = s.consumer()) {
      List<TopicPartition> tps =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      return consumer.endOffsets(tps);
    }
  }

  @Test
  void aKafkaRecordWithBadValuesLoadsNulledOrIsDeadLetteredNamingEveryColumn() throws Exception {
    String topic = KafkaBroker.uniqueName("orders-bad-values");
    BROKER.createTopic(topic, 1);
    BROKER.produceCommittedRecords(
        List.of(
            new ProducerRecord<>(topic, "1", order(1)),
            new ProducerRecord<>(topic, "2", "{\"order_id\": 2, \"amount\": \"abc\"}"),
            new ProducerRecord<>(topic, "3", "{\"order_id\": \"x\", \"amount\": \"abc\"}")));
    Pipeline p =
        Pipeline.builder("orders")
            .version("1")
            .source(new KafkaSource(ORDERS, KafkaSourceConfig.of(BROKER.bootstrapServers(), topic)))
            .windows(WindowSpec.offsets())
            .table("orders")
            .key("order_id")
            .strategy(WriteStrategy.MERGE)
            .badRecords(new BadRecordPolicy(5, null, OnBadValue.NULL, Map.of()))
            .build();
    try (JdbcDestination d = newDestination(services("a"))) {
      RunReport r = drain(d, p, services("a"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(orderIds(d)).containsExactly("1", "2");
      assertThat(d.ledger().nulledValues("orders", Optional.empty()))
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.position()).isEqualTo(topic + "-0@1");
                assertThat(v.column()).isEqualTo("amount");
                assertThat(v.raw()).isEqualTo("abc");
              });
      assertThat(
              d.ledger().states("orders").stream().mapToLong(s -> s.counts().valuesNulled()).sum())
          .isEqualTo(1);
      assertThat(d.ledger().deadLetters("orders", Optional.empty(), true))
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l.reason())
                      .isEqualTo(
                          "column order_id: 'x' is not an integer (not nulled: a key column);"
                              + " column amount: 'abc' is not a decimal(12,2)"));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"APPEND", "MERGE"})
  void loadsEveryCommittedRecordOnceAndTheLedgerHoldsThePositions(WriteStrategy strategy)
      throws Exception {
    String topic = sharedTopicWithOrders();
    Pipeline p = pipeline(topic, strategy);
    try (JdbcDestination d = newDestination(services("a"))) {
      RunReport first = drain(d, p, services("a"));
      assertThat(first.ok()).as(first.toString()).isTrue();
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(300));
      assertChainsCover(d, topic);
      // the record that is not JSON is a dead letter with its offset; the aborted ones are nowhere
      assertThat(d.ledger().deadLetters("orders", Optional.empty(), true))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.position()).startsWith(topic + "-0@");
                assertThat(l.raw()).isEqualTo("not json {");
              });
      long read = d.ledger().states("orders").stream().mapToLong(s -> s.counts().read()).sum();
      assertThat(read).isEqualTo(301);
      // positions come from the ledger: idem made no consumer group
      assertThat(BROKER.admin().listGroups().all().get())
          .noneMatch(g -> g.groupId().contains(topic));

      RunReport again = drain(d, p, services("a"));
      assertThat(again.count(WindowOutcome.Result.LOADED)).isZero();
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(300));
    }
  }

  @ParameterizedTest
  @EnumSource(value = FaultPoint.class)
  void aCrashAtEveryFaultPointThenARetryEqualsACleanRun(FaultPoint point) {
    String topic = sharedTopicWithOrders();
    Pipeline p = pipeline(topic, WriteStrategy.APPEND);
    String victim = WindowSpec.offsetsId(topic, 1, MAX_RECORDS);
    try (JdbcDestination d = newDestination(services("a"))) {
      CrashAt crash = new CrashAt(point, victim);
      assertThatThrownBy(() -> drain(d, p, services("a").withFaults(crash)))
          .isInstanceOf(SimulatedCrash.class);
      expireLeases(d);
      try (JdbcDestination again = d.reopen(services("b"))) {
        RunReport retry = drain(again, p, services("b"));
        assertThat(retry.ok()).as(retry.toString()).isTrue();
        assertThat(orderIds(again)).isEqualTo(expectedOrderIds(300));
        assertChainsCover(again, topic);
      }
    }
  }

  @Test
  void concurrentRunnersLoadEveryOffsetOnce() throws Exception {
    String topic = sharedTopicWithOrders();
    Pipeline p = pipeline(topic, WriteStrategy.APPEND);
    try (JdbcDestination d = newDestination(services("a"))) {
      d.prepare(p);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<RunReport>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          String owner = "runner" + i;
          runs.add(
              pool.submit(
                  () -> {
                    try (JdbcDestination own = d.reopen(services(owner))) {
                      // runners sharing a stream wait for the windows the others hold, as idem run
                      // does for --lock-timeout
                      return new Runner(own, services(owner))
                          .runStream(
                              p,
                              RunOptions.defaults("r").withHeldWait(Duration.ofSeconds(60)),
                              StreamOptions.untilCaughtUp());
                    }
                  }));
        }
        for (Future<RunReport> r : runs) {
          assertThat(r.get().ok()).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      // every runner exited ok, so what the topic held is loaded: a runner that met a window held
      // by another goes on past it once it is done (it ended with the rest unloaded)
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(300));
      assertChainsCover(d, topic);
      assertThat(drain(d, p, services("a")).count(WindowOutcome.Result.LOADED)).isZero();
      // a runner may load a window again that another committed meanwhile (same records: all
      // skipped),
      // so the windows' reads, not their inserts, account for every record once
      long read = d.ledger().states("orders").stream().mapToLong(s -> s.counts().read()).sum();
      assertThat(read).as("records read over the done windows").isEqualTo(301);
    }
  }

  @Test
  void newRecordsAndNewPartitionsContinueEachChain() throws Exception {
    String topic = topicWithOrders();
    Pipeline p = pipeline(topic, WriteStrategy.APPEND);
    try (JdbcDestination d = newDestination(services("a"))) {
      drain(d, p, services("a"));
      BROKER
          .admin()
          .createPartitions(Map.of(topic, NewPartitions.increaseTo(PARTITIONS + 1)))
          .all()
          .get();
      List<ProducerRecord<String, String>> more = new ArrayList<>();
      for (long id = 301; id <= 340; id++) {
        more.add(
            new ProducerRecord<>(
                topic, (int) (id % (PARTITIONS + 1)), Long.toString(id), order(id)));
      }
      BROKER.produceCommittedRecords(more);
      RunReport next = drain(d, p, services("a"));
      assertThat(next.ok()).isTrue();
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(340));
      assertChainsCover(d, topic);
      assertThat(
              TableSnapshot.rows(
                  d,
                  "(SELECT count(*) AS n FROM orders WHERE _kafka_partition = " + PARTITIONS + ")"))
          .containsExactly("n=10");
    }
  }

  private static Pipeline pipeline(KafkaSourceConfig config) {
    return Pipeline.builder("orders")
        .version("1")
        .source(new KafkaSource(ORDERS, config))
        .windows(WindowSpec.offsets())
        .table("orders")
        .key("order_id")
        .strategy(WriteStrategy.APPEND)
        .build();
  }

  private static void produce(String topic, long from, long to) {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      records.add(new ProducerRecord<>(topic, 0, Long.toString(id), order(id)));
    }
    BROKER.produceCommittedRecords(records);
  }

  /**
   * {@code start_from: latest}: the first run starts at the partition's end and anchors its chain
   * there (an empty window), so the next run loads what arrived since, and only that. (It planned
   * nothing, recorded nothing, and started at the new end again every run: nothing was ever
   * loaded.)
   */
  @Test
  void startFromLatestLoadsWhatArrivesAfterTheFirstRun() throws Exception {
    String topic = KafkaBroker.uniqueName("latest");
    BROKER.createTopic(topic, 1);
    produce(topic, 1, 5);
    Pipeline p =
        pipeline(
            KafkaSourceConfig.of(BROKER.bootstrapServers(), topic)
                .withMaxRecords(MAX_RECORDS)
                .withStartFrom(KafkaSourceConfig.StartFrom.LATEST));
    try (JdbcDestination d = newDestination(services("a"))) {
      assertThat(drain(d, p, services("a")).ok()).isTrue();
      produce(topic, 6, 8);
      // a partition added since the first run starts at its earliest offset: its records produced
      // before a plan saw it are loaded
      BROKER.admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get();
      BROKER.produceCommittedRecords(
          List.of(
              new ProducerRecord<>(topic, 1, "9", order(9)),
              new ProducerRecord<>(topic, 1, "10", order(10))));
      RunReport next = drain(d, p, services("a"));
      assertThat(next.ok()).isTrue();
      assertThat(orderIds(d)).containsExactly("6", "7", "8", "9", "10");
      assertThat(drain(d, p, services("a")).count(WindowOutcome.Result.LOADED)).isZero();
      assertThat(orderIds(d)).containsExactly("6", "7", "8", "9", "10");
    }
  }

  /**
   * A topic deleted and made again (or a log truncated) ends before the offset the ledger loaded
   * to: the run fails saying so, rather than wait silently until the new log passes that offset and
   * skip what it holds before it.
   */
  @Test
  void aTopicMadeAgainBehindTheLedgersPositionFailsTheRunSayingSo() throws Exception {
    String topic = KafkaBroker.uniqueName("remade");
    BROKER.createTopic(topic, 1);
    produce(topic, 1, 10);
    Pipeline p = pipeline(KafkaSourceConfig.of(BROKER.bootstrapServers(), topic));
    try (JdbcDestination d = newDestination(services("a"))) {
      assertThat(drain(d, p, services("a")).ok()).isTrue();
      assertThat(orderIds(d)).hasSize(10);
      BROKER.admin().deleteTopics(List.of(topic)).all().get();
      // made again once the broker finished deleting it
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try {
          BROKER.createTopic(topic, 1);
          break;
        } catch (RuntimeException stillDeleting) {
          if (System.nanoTime() > deadline) {
            throw stillDeleting;
          }
          Thread.sleep(200);
        }
      }
      produce(topic, 11, 13); // offsets 0 to 3: three records and the transaction's marker
      assertThatThrownBy(() -> drain(d, p, services("a")))
          .isInstanceOf(DataException.class)
          .hasMessageContaining(
              "partition 0 ends at offset 4, before offset 11 that idem's windows of it already"
                  + " loaded");
      assertThat(orderIds(d)).hasSize(10);
    }
  }

  /**
   * {@code idem reset --window} of one window between two done ones loads it again up to where the
   * next done window starts (it read to the partition's end, over the next windows' records); a
   * reset of the first window loads it again (the chain was walked from the next one, and the first
   * window's records were never loaded again).
   */
  @Test
  void aResetWindowIsLoadedAgainUpToTheNextDoneWindowTheFirstOneToo() {
    String topic = KafkaBroker.uniqueName("reset");
    BROKER.createTopic(topic, 1);
    Pipeline p = pipeline(KafkaSourceConfig.of(BROKER.bootstrapServers(), topic));
    try (JdbcDestination d = newDestination(services("a"))) {
      // three windows of 11 offsets each (ten records and a transaction's marker): @0, @11, @22
      for (int batch = 0; batch < 3; batch++) {
        produce(topic, batch * 10 + 1, batch * 10 + 10);
        assertThat(drain(d, p, services("a")).ok()).isTrue();
      }
      for (long start : new long[] {11, 0}) {
        String id = WindowSpec.offsetsId(topic, 0, start);
        assertThat(d.ledger().reset("orders", Optional.of(id))).isEqualTo(1);
        RunReport again = drain(d, p, services("a"));
        assertThat(again.ok()).isTrue();
        assertThat(again.outcomes())
            .filteredOn(o -> o.result() == WindowOutcome.Result.LOADED)
            .extracting(o -> o.window().id())
            .containsExactly(id);
        assertThat(d.ledger().state("orders", id))
            .get()
            .satisfies(s -> assertThat(s.sourcePosition()).isEqualTo(Long.toString(start + 11)));
        assertChainsCover(d, topic);
      }
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(30));
    }
  }

  @Test
  void aDoneWindowReadAgainStopsAtItsRecordedEnd() {
    String topic = sharedTopicWithOrders();
    Pipeline p = pipeline(topic, WriteStrategy.APPEND);
    try (JdbcDestination d = newDestination(services("a"))) {
      drain(d, p, services("a"));
      List<String> before = TableSnapshot.rows(d, "orders");
      String first = WindowSpec.offsetsId(topic, 2, 0);
      RunReport forced =
          new Runner(d, services("a"))
              .run(p, List.of(p.windows().window(first)), RunOptions.defaults("f").forced());
      assertThat(forced.count(WindowOutcome.Result.LOADED)).isEqualTo(1);
      assertThat(d.ledger().state("orders", first))
          .get()
          .satisfies(
              s -> {
                assertThat(s.sourcePosition()).isEqualTo(Long.toString(MAX_RECORDS));
                assertThat(s.counts().read()).isEqualTo(MAX_RECORDS);
                assertThat(s.counts().skipped()).isEqualTo(MAX_RECORDS);
              });
      assertThat(TableSnapshot.rows(d, "orders")).isEqualTo(before);
      assertChainsCover(d, topic);
    }
  }

  @Test
  void followModeLoadsWhatArrivesAndStopsBetweenWindows() throws Exception {
    String topic = topicWithOrders();
    Pipeline p = pipeline(topic, WriteStrategy.APPEND);
    AtomicBoolean stop = new AtomicBoolean();
    try (JdbcDestination d = newDestination(services("a"))) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<RunReport> following =
            pool.submit(
                () ->
                    new Runner(d, services("a"))
                        .runStream(
                            p,
                            RunOptions.defaults("follow"),
                            new StreamOptions(true, Duration.ofMillis(100), stop::get)));
        awaitOrders(d, 300);
        List<ProducerRecord<String, String>> more = new ArrayList<>();
        for (long id = 301; id <= 320; id++) {
          more.add(new ProducerRecord<>(topic, Long.toString(id), order(id)));
        }
        BROKER.produceCommittedRecords(more);
        awaitOrders(d, 320);
        stop.set(true);
        RunReport report = following.get(60, TimeUnit.SECONDS);
        assertThat(report.ok()).isTrue();
      } finally {
        pool.shutdownNow();
      }
      assertThat(orderIds(d)).isEqualTo(expectedOrderIds(320));
      assertChainsCover(d, topic);
    }
  }

  private static void awaitOrders(JdbcDestination d, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (orderIds(d).size() >= n) {
          return;
        }
      } catch (RuntimeException e) {
        // the table does not exist before the first window commits
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "the table did not reach " + n + " orders in 60 s: " + orderIds(d).size());
  }
}
