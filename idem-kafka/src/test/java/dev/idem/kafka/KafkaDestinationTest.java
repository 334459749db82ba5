package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Completion;
import dev.idem.destination.FencedException;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.key.KeySpec;
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
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any source into a Kafka topic, exactly once, against the real test broker: every case reads the
 * output topic back with {@code read_committed} and compares the records (key and value) with what
 * one clean run produces, never counts alone.
 */
class KafkaDestinationTest {
  static final KafkaBroker BROKER = KafkaBroker.shared();
  static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("ingested_at", DataType.TIMESTAMP));
  static final List<String> DAYS =
      List.of("2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05");

  /**
   * A destination of its own: fresh ledger topics and producer ids, as a fresh database would be.
   */
  static KafkaDestinationConfig freshConfig() {
    return KafkaDestinationConfig.of(BROKER.bootstrapServers())
        .withLedgerTopic(KafkaBroker.uniqueName("_idem"))
        .withIdPrefix(KafkaBroker.uniqueName("idem"))
        .withTransactionTimeout(Duration.ofSeconds(30))
        .withTimeout(Duration.ofSeconds(30));
  }

  static RunServices services(String owner) {
    return RunServices.defaults()
        .withOwner(owner)
        .withLeaseTtl(Duration.ofMinutes(5))
        .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
  }

  private static LocalDateTime at(String t) {
    return LocalDateTime.parse(t);
  }

  /**
   * Five days of orders with an exact duplicate, a later version of order 1 and two versions of
   * order 8.
   */
  static ListSource orders() {
    ListSource s = new ListSource(ORDERS);
    s.add(1L, "ada", new BigDecimal("10.00"), at("2024-03-01T08:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(2L, "bob", new BigDecimal("20.50"), at("2024-03-01T09:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-01T10:00:00"));
    s.add(4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00"));
    s.add(5L, "eve 'q'; \"drop\"", new BigDecimal("99.99"), at("2024-03-02T09:30:00"));
    s.add(1L, "ada", new BigDecimal("12.50"), at("2024-03-03T11:00:00"));
    s.add(6L, "fay", null, at("2024-03-03T12:00:00"));
    s.add(3L, "cyd", new BigDecimal("7.25"), at("2024-03-04T07:00:00"));
    s.add(7L, "gus ünï", new BigDecimal("1.10"), at("2024-03-04T23:59:59.999"));
    s.add(8L, "hal", new BigDecimal("8.00"), at("2024-03-05T00:00:00"));
    s.add(8L, "hal", new BigDecimal("8.80"), at("2024-03-05T00:00:00"));
    return s;
  }

  static Pipeline pipeline(ListSource source, String topic) {
    return Pipeline.builder("orders")
        .version("1")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table(topic)
        .key(KeySpec.columns("order_id"))
        .strategy(WriteStrategy.APPEND)
        .build();
  }

  static List<Window> all(Pipeline p) {
    try {
      return p.source().windows(p.windows());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RunReport run(
      KafkaDestination d, Pipeline p, RunOptions options, FaultInjector faults, String owner) {
    return new Runner(d, services(owner).withFaults(faults)).run(p, all(p), options);
  }

  static RunReport run(KafkaDestination d, Pipeline p) {
    return run(d, p, RunOptions.defaults("run"), FaultInjector.NONE, "a");
  }

  /**
   * What one clean run must leave in the topic: one record per input record, keyed by order id,
   * with a JSON value in declared column order, each tagged with its window. Rendered here by hand,
   * independently of the code under test.
   */
  static List<String> expected(ListSource source) {
    List<String> out = new ArrayList<>();
    for (Object[] r : source.records()) {
      LocalDateTime t = (LocalDateTime) r[3];
      String ts = t.toString().length() == 16 ? t + ":00" : t.toString();
      out.add(
          r[0]
              + " "
              + t.toLocalDate()
              + " {\"order_id\":"
              + r[0]
              + ",\"customer\":\""
              + r[1].toString().replace("\"", "\\\"")
              + "\",\"amount\":"
              + (r[2] == null ? "null" : ((BigDecimal) r[2]).toPlainString())
              + ",\"ingested_at\":\""
              + ts
              + "\"}");
    }
    out.sort(null);
    return out;
  }

  /**
   * Every committed record of the topic as {@code key window value}, sorted: a multiset snapshot.
   */
  static List<String> produced(String topic) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : BROKER.readCommittedRecords(topic)) {
      Header window = r.headers().lastHeader("idem.window");
      out.add(
          r.key()
              + " "
              + (window == null ? "-" : new String(window.value(), StandardCharsets.UTF_8))
              + " "
              + r.value());
    }
    out.sort(null);
    return out;
  }

  // ---------------------------------------------------------------- exactly once

  @Test
  void runTwiceEqualsRunOnceAndTheTopicHoldsEachRecordOnce() {
    String topic = KafkaBroker.uniqueName("orders-out");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a")) {
      RunReport first = run(d, p);
      assertThat(first.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.LOADED);
      assertThat(first.outcomes())
          .allSatisfy(o -> assertThat(o.counts().balanced()).as(o.toString()).isTrue());
      List<String> once = produced(topic);
      assertThat(once)
          .isEqualTo(expected(source))
          .hasSize(12)
          .contains(
              "5 2024-03-02 {\"order_id\":5,\"customer\":\"eve 'q'; \\\"drop\\\"\",\"amount\":99.99,\"ingested_at\":\"2024-03-02T09:30:00\"}")
          .contains(
              "6 2024-03-03 {\"order_id\":6,\"customer\":\"fay\",\"amount\":null,\"ingested_at\":\"2024-03-03T12:00:00\"}");
      assertThat(d.ledger().states("orders")).extracting(WindowState::windowId).isEqualTo(DAYS);
      assertThat(d.ledger().state("orders", "2024-03-01"))
          .get()
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(WindowStatus.DONE);
                assertThat(s.counts().read()).isEqualTo(4);
                assertThat(s.counts().inserted()).isEqualTo(4);
                assertThat(s.counts().targetRows()).isEqualTo(4);
                assertThat(s.runId()).isEqualTo("run");
              });

      RunReport second = run(d, p);
      assertThat(second.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(Result.UNCHANGED);
      assertThat(produced(topic)).isEqualTo(once);
    }
    // a new process (its own producer, ledger read after initTransactions) finds everything done
    // too
    try (KafkaDestination again = open(topic, "b")) {
      assertThat(run(again, p).outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(Result.UNCHANGED);
    }
    assertThat(produced(topic)).isEqualTo(expected(source));
  }

  /**
   * The config each test's destination had, found again by the topic (reopening = same ledger
   * topic, same ids).
   */
  private static final Map<String, KafkaDestinationConfig> CONFIGS = new ConcurrentHashMap<>();

  static KafkaDestinationConfig configOf(String topic) {
    return CONFIGS.computeIfAbsent(topic, t -> freshConfig());
  }

  static KafkaDestination open(String topic, String owner) {
    return KafkaDestination.open(configOf(topic), services(owner));
  }

  @ParameterizedTest
  @EnumSource(FaultPoint.class)
  void aCrashAtEveryFaultPointThenARetryByANewProcessEqualsACleanRun(FaultPoint point) {
    String topic = KafkaBroker.uniqueName("orders-crash");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a")) {
      CrashAt crash = new CrashAt(point, "2024-03-03");
      assertThatThrownBy(() -> run(d, p, RunOptions.defaults("crashing"), crash, "a"))
          .isInstanceOf(SimulatedCrash.class);
      assertThat(crash.fired()).isTrue();
      try (KafkaDestination restarted = open(topic, "b")) {
        RunReport retry = run(restarted, p, RunOptions.defaults("retry"), FaultInjector.NONE, "b");
        assertThat(retry.ok()).as(retry.outcomes().toString()).isTrue();
        assertThat(produced(topic)).as("crash at %s then retry", point).isEqualTo(expected(source));
        assertThat(run(restarted, p).outcomes())
            .extracting(WindowOutcome::result)
            .containsOnly(Result.UNCHANGED);
        assertThat(restarted.ledger().states("orders"))
            .extracting(WindowState::status)
            .containsOnly(WindowStatus.DONE)
            .hasSize(5);
      }
    }
  }

  @Test
  void aTransactionLeftOpenByAKilledRunnerIsAbortedByTheNextRunnersInitTransactions()
      throws Exception {
    String topic = KafkaBroker.uniqueName("orders-killed");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination killed = open(topic, "a")) {
      killed.prepare(p);
      // as a process killed after staging: records and marker sent, neither committed nor aborted
      var lease =
          killed.ledger().claim("orders", "2024-03-02", "a", Duration.ofMinutes(5)).orElseThrow();
      var write =
          killed.begin(
              p,
              lease,
              new RunContext("orders", "1", p.windows().window("2024-03-02"), null, "killed"));
      write.add(new Object[] {4L, "dee", new BigDecimal("3.00"), at("2024-03-02T08:00:00")});
      write.prepare(new Completion("fp", p.definitionHash(), 1, 0, 0));
      try (KafkaDestination next = open(topic, "b")) {
        RunReport r = run(next, p, RunOptions.defaults("next"), FaultInjector.NONE, "b");
        assertThat(r.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.LOADED);
        assertThat(produced(topic)).isEqualTo(expected(source));
      }
      assertThatThrownBy(write::commit)
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("fenced");
      write.close();
    }
    assertThat(produced(topic)).isEqualTo(expected(source));
  }

  @Test
  void aZombiePausedBeforeCommitIsFencedByTheNextRunnerAndProducesNothing() throws Exception {
    String topic = KafkaBroker.uniqueName("orders-zombie");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    FaultInjector stall =
        (point, window) -> {
          if (point == FaultPoint.BEFORE_COMMIT && window.id().equals("2024-03-02")) {
            paused.countDown();
            try {
              resume.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KafkaDestination zombie = open(topic, "zombie");
        KafkaDestination successor = open(topic, "successor")) {
      Future<RunReport> zombieRun =
          pool.submit(() -> run(zombie, p, RunOptions.defaults("zombie"), stall, "zombie"));
      assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
      successor.prepare(p); // initTransactions: fences the zombie and aborts its open transaction
      resume.countDown();
      RunReport z = zombieRun.get(60, TimeUnit.SECONDS);
      assertThat(z.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-01"))
          .extracting(WindowOutcome::result)
          .containsExactly(Result.LOADED);
      assertThat(z.outcomes())
          .filteredOn(o -> o.window().id().compareTo("2024-03-02") >= 0)
          .extracting(WindowOutcome::result)
          .containsOnly(Result.HELD)
          .hasSize(4);
      assertThat(z.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-02"))
          .singleElement()
          .satisfies(
              o ->
                  assertThat(o.message())
                      .contains("fenced")
                      .contains(zombie.config().transactionalId("orders")));
      assertThat(produced(topic))
          .as("only the window the zombie committed before it was fenced")
          .isEqualTo(expected(source).stream().filter(r -> r.contains(" 2024-03-01 ")).toList());

      RunReport s =
          run(successor, p, RunOptions.defaults("successor"), FaultInjector.NONE, "successor");
      assertThat(s.outcomes())
          .extracting(WindowOutcome::result)
          .containsExactly(
              Result.UNCHANGED, Result.LOADED, Result.LOADED, Result.LOADED, Result.LOADED);
      assertThat(produced(topic)).isEqualTo(expected(source));
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The ledger topic is shared by pipelines. One whose transaction stays open (its runner stalled
   * after sending its marker) holds the topic's last stable offset back: a runner of another
   * pipeline that read only up to it would miss its own later markers and produce its windows
   * again. It reads to the log end instead, once the open transaction has ended (here, aborted by
   * the broker at the stalled producer's transaction timeout; that runner's commit then fails and
   * its retry produces the window once).
   */
  @Test
  void anotherPipelinesOpenTransactionOnTheLedgerTopicHidesNoMarker() throws Exception {
    String topic = KafkaBroker.uniqueName("orders-shared-ledger");
    String other = KafkaBroker.uniqueName("alpha-out");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    Pipeline alpha =
        Pipeline.builder("alpha")
            .version("1")
            .source(orders())
            .windows(p.windows())
            .table(other)
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.APPEND)
            .build();
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    FaultInjector stall =
        (point, window) -> {
          if (point == FaultPoint.BEFORE_COMMIT && window.id().equals("2024-03-01")) {
            paused.countDown();
            try {
              resume.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    KafkaDestinationConfig shortTransactions =
        configOf(topic).withTransactionTimeout(Duration.ofSeconds(5));
    try (KafkaDestination stalled = KafkaDestination.open(shortTransactions, services("alpha"))) {
      Future<RunReport> alphaRun =
          pool.submit(() -> run(stalled, alpha, RunOptions.defaults("alpha"), stall, "alpha"));
      assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
      try (KafkaDestination first = open(topic, "b1")) {
        assertThat(run(first, p).outcomes())
            .extracting(WindowOutcome::result)
            .containsOnly(Result.LOADED);
      }
      try (KafkaDestination second = open(topic, "b2")) {
        assertThat(run(second, p).outcomes())
            .extracting(WindowOutcome::result)
            .containsOnly(Result.UNCHANGED);
      }
      assertThat(produced(topic)).isEqualTo(expected(source));

      resume.countDown();
      RunReport a = alphaRun.get(60, TimeUnit.SECONDS);
      assertThat(a.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.LOADED);
      assertThat(a.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-01"))
          .singleElement()
          .satisfies(
              o ->
                  assertThat(o.attempts())
                      .as("the commit of the aborted transaction failed, the retry loaded it")
                      .isEqualTo(2));
      assertThat(produced(other)).isEqualTo(expected(orders()));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void windowsLoadedInParallelAreProducedOneTransactionAtATime() {
    String topic = KafkaBroker.uniqueName("orders-parallel");
    ListSource source = orders();
    for (int i = 0; i < 200; i++) {
      source.add(
          100L + i,
          "bulk" + i,
          new BigDecimal(i + ".01"),
          at("2024-03-0" + (1 + i % 5) + "T13:00:00"));
    }
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a")) {
      RunReport r =
          run(d, p, RunOptions.defaults("parallel").withParallel(4), FaultInjector.NONE, "a");
      assertThat(r.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(Result.LOADED)
          .hasSize(5);
      assertThat(produced(topic)).isEqualTo(expected(source)).hasSize(212);
      // the records of a window are contiguous in each partition: no two transactions interleaved
      List<ConsumerRecord<String, String>> records = BROKER.readCommittedRecords(topic);
      List<String> windowOrder = new ArrayList<>();
      for (ConsumerRecord<String, String> rec : records) {
        String w =
            new String(rec.headers().lastHeader("idem.window").value(), StandardCharsets.UTF_8);
        if (windowOrder.isEmpty() || !windowOrder.get(windowOrder.size() - 1).equals(w)) {
          windowOrder.add(w);
        }
      }
      assertThat(windowOrder).doesNotHaveDuplicates();
    }
  }

  // ---------------------------------------------------------------- what a topic cannot do

  @ParameterizedTest
  @ValueSource(strings = {"merge", "replace_window", "replace_table", "transform"})
  void whatATopicCannotDoIsRefusedWhenTheRunIsPlannedSayingWhy(String what) throws Exception {
    String topic = KafkaBroker.uniqueName("orders-refused");
    Pipeline.Builder b =
        Pipeline.builder("orders")
            .version("1")
            .source(orders())
            .table(topic)
            .key(KeySpec.columns("order_id"));
    switch (what) {
      case "merge" ->
          b.strategy(WriteStrategy.MERGE).windows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
      case "replace_window" ->
          b.strategy(WriteStrategy.REPLACE_WINDOW)
              .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC));
      case "replace_table" -> b.strategy(WriteStrategy.REPLACE_TABLE).windows(WindowSpec.full());
      default ->
          b.strategy(WriteStrategy.APPEND)
              .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
              .transform("SELECT * FROM staged")
              .targetColumns(ORDERS);
    }
    Pipeline p = b.build();
    try (KafkaDestination d = open(topic, "a")) {
      String why =
          what.equals("merge")
              ? "cannot be updated in place"
              : what.equals("transform") ? "run inside a database" : "cannot be truncated";
      assertThatThrownBy(() -> run(d, p))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("kafka topic " + topic)
          .hasMessageContaining(why)
          .hasMessageContaining("not supported")
          .hasMessageNotContaining("\n");
      assertThatThrownBy(() -> Runner.checkCapabilities(p, d))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(why);
    }
    assertThat(BROKER.admin().listTopics().names().get())
        .as("refused before touching the cluster")
        .doesNotContain(topic);
  }

  @Test
  void onBadValueNullIsRefusedWhenTheRunIsPlanned() throws Exception {
    String topic = KafkaBroker.uniqueName("orders-nulled");
    Pipeline p =
        Pipeline.builder("orders")
            .version("1")
            .source(orders())
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table(topic)
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.APPEND)
            .badRecords(new BadRecordPolicy(0, null, OnBadValue.NULL, Map.of()))
            .build();
    try (KafkaDestination d = open(topic, "a")) {
      assertThatThrownBy(() -> Runner.checkCapabilities(p, d))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "destination "
                  + d.describe()
                  + " does not keep nulled values: on_bad_value null needs a destination that"
                  + " records them (a database); use on_bad_value dead_letter");
    }
  }

  @Test
  void aTargetThatIsNotATopicNameOrIsTheLedgerTopicIsRefused() {
    KafkaDestinationConfig config = freshConfig();
    try (KafkaDestination d = KafkaDestination.open(config, services("a"))) {
      assertThatThrownBy(() -> run(d, pipeline(orders(), "orders out")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("'orders out' is not a valid Kafka topic name");
      assertThatThrownBy(() -> run(d, pipeline(orders(), config.ledgerTopic())))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("is idem's ledger topic");
      assertThatThrownBy(() -> run(d, pipeline(orders(), config.deadLetterTopic())))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("is idem's ledger topic");
    }
  }

  @Test
  void aLedgerTopicThatIsNotCompactedIsRefused() {
    KafkaDestinationConfig config = freshConfig();
    BROKER.createTopic(config.ledgerTopic(), 1);
    try (KafkaDestination d = KafkaDestination.open(config, services("a"))) {
      assertThatThrownBy(() -> run(d, pipeline(orders(), KafkaBroker.uniqueName("orders-out"))))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "ledger topic "
                  + config.ledgerTopic()
                  + " has cleanup.policy=delete: its markers would be deleted after retention.ms"
                  + " and their windows produced again; set cleanup.policy=compact on it, or name another ledger_topic");
    }
  }

  @Test
  void readingTheLedgerFromAnotherProcessFencesNobody() {
    String topic = KafkaBroker.uniqueName("orders-viewed");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a");
        KafkaDestination viewer = open(topic, "viewer")) {
      run(d, p, RunOptions.defaults("first"), FaultInjector.NONE, "a");
      d.prepare(p);
      BROKER.awaitSettled(
          List.of(
              configOf(topic)
                  .ledgerTopic())); // a snapshot reader sees a commit once its markers are written
      assertThat(viewer.ledger().states("orders"))
          .isEqualTo(d.ledger().states("orders"))
          .hasSize(5);
      assertThat(viewer.ledger().deadLetters("orders", Optional.empty(), true)).isEmpty();
      assertThat(viewer.rowsInTarget(p, "2024-03-01")).isEqualTo(4);
      source.add(9L, "ivy", BigDecimal.TEN, at("2024-03-06T10:00:00"));
      RunReport more = run(d, p, RunOptions.defaults("more"), FaultInjector.NONE, "a");
      assertThat(more.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-06"))
          .extracting(WindowOutcome::result)
          .containsExactly(Result.LOADED);
      BROKER.awaitSettled(List.of(configOf(topic).ledgerTopic()));
      assertThat(viewer.ledger().state("orders", "2024-03-06"))
          .get()
          .extracting(WindowState::status)
          .isEqualTo(WindowStatus.DONE);
      assertThat(produced(topic)).isEqualTo(expected(source));
    }
  }

  @Test
  void aDoneWindowIsNeverProducedAgainWhetherItsInputChangedOrTheRunIsForced() {
    String topic = KafkaBroker.uniqueName("orders-changed");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a")) {
      run(d, p);
      List<String> once = produced(topic);
      WindowState before = d.ledger().state("orders", "2024-03-02").orElseThrow();

      List<Object[]> changed = new ArrayList<>();
      for (Object[] r : source.records()) {
        if ((Long) r[0] == 4L) {
          r[2] = new BigDecimal("4.00");
        }
        changed.add(r);
      }
      source.replaceAll(changed);
      RunReport rerun = run(d, p);
      assertThat(rerun.outcomes())
          .filteredOn(o -> !o.window().id().equals("2024-03-02"))
          .extracting(WindowOutcome::result)
          .containsOnly(Result.UNCHANGED);
      assertThat(rerun.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-02"))
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.result()).isEqualTo(Result.FAILED);
                assertThat(o.message())
                    .contains("window 2024-03-02")
                    .contains("its input changed")
                    .contains("cannot take records back")
                    .contains("idem reset --window 2024-03-02")
                    .doesNotContain("\n");
              });
      assertThat(produced(topic)).isEqualTo(once);
      assertThat(d.ledger().state("orders", "2024-03-02"))
          .get()
          .as("still done, as produced")
          .isEqualTo(before);

      RunReport forced = run(d, p, RunOptions.defaults("forced").forced(), FaultInjector.NONE, "a");
      assertThat(forced.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.FAILED);
      assertThat(forced.outcomes())
          .allSatisfy(o -> assertThat(o.message()).contains("cannot take records back"));
      assertThat(produced(topic)).isEqualTo(once);

      Pipeline v2 =
          Pipeline.builder("orders")
              .version("2")
              .source(source)
              .windows(p.windows())
              .table(topic)
              .key(KeySpec.columns("order_id"))
              .strategy(WriteStrategy.APPEND)
              .build();
      assertThat(run(d, v2).outcomes())
          .allSatisfy(o -> assertThat(o.message()).contains("the pipeline's definition changed"));
      assertThat(produced(topic)).isEqualTo(once);
      assertThat(d.ledger().states("orders"))
          .extracting(WindowState::status)
          .containsOnly(WindowStatus.DONE);

      // reset says "produce it again, duplicates included": the changed window's records are then
      // in the topic twice
      assertThat(d.ledger().reset("orders", Optional.of("2024-03-02"))).isEqualTo(1);
      RunReport afterReset = run(d, p);
      assertThat(afterReset.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-02"))
          .extracting(WindowOutcome::result)
          .containsExactly(Result.LOADED);
      List<String> expected = new ArrayList<>(once);
      expected.add(
          "4 2024-03-02 {\"order_id\":4,\"customer\":\"dee\",\"amount\":4.00,\"ingested_at\":\"2024-03-02T08:00:00\"}");
      expected.add(
          "5 2024-03-02 {\"order_id\":5,\"customer\":\"eve 'q'; \\\"drop\\\"\",\"amount\":99.99,\"ingested_at\":\"2024-03-02T09:30:00\"}");
      expected.sort(null);
      assertThat(produced(topic)).isEqualTo(expected);
    }
  }

  @Test
  void aNullKeyFailsItsWindowAndNothingOfTheWindowIsProduced() {
    String topic = KafkaBroker.uniqueName("orders-nullkey");
    ListSource source = orders();
    source.add(null, "nobody", BigDecimal.ONE, at("2024-03-02T10:00:00"));
    Pipeline p = pipeline(source, topic);
    try (KafkaDestination d = open(topic, "a")) {
      RunReport r = run(d, p);
      assertThat(r.outcomes())
          .filteredOn(o -> o.window().id().equals("2024-03-02"))
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.result()).isEqualTo(Result.FAILED);
                assertThat(o.message())
                    .contains("2024-03-02")
                    .contains("NULL")
                    .contains("order_id");
              });
      assertThat(produced(topic))
          .isEqualTo(expected(orders()).stream().filter(x -> !x.contains(" 2024-03-02 ")).toList());
      assertThat(d.ledger().state("orders", "2024-03-02"))
          .get()
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(WindowStatus.FAILED);
                assertThat(s.error()).contains("NULL");
              });
    }
    // the failure is in the ledger topic for anyone to read, without fencing the pipeline
    BROKER.awaitSettled(List.of(configOf(topic).ledgerTopic()));
    try (KafkaDestination viewer = open(topic, "viewer")) {
      assertThat(viewer.ledger().state("orders", "2024-03-02"))
          .get()
          .extracting(WindowState::status)
          .isEqualTo(WindowStatus.FAILED);
    }
  }

  @Test
  void aRecordTooLargeForTheTopicIsDeadLetteredAndTheWindowLoads() {
    String topic = KafkaBroker.uniqueName("orders-large");
    ListSource source = orders();
    source.add(99L, "x".repeat(2 * 1024 * 1024), BigDecimal.ONE, at("2024-03-04T10:00:00"));
    Pipeline big =
        Pipeline.builder("orders")
            .version("1")
            .source(source)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table(topic)
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.APPEND)
            .badRecords(new BadRecordPolicy(1, null))
            .build();
    try (KafkaDestination d = open(topic, "a")) {
      RunReport r = run(d, big);
      assertThat(r.ok()).as(r.outcomes().toString()).isTrue();
      assertThat(produced(topic)).isEqualTo(expected(orders()));
      assertThat(d.ledger().state("orders", "2024-03-04"))
          .get()
          .satisfies(
              s -> {
                assertThat(s.counts().deadLettered()).isEqualTo(1);
                assertThat(s.counts().inserted()).isEqualTo(2);
                assertThat(s.counts().balanced()).isTrue();
              });
      assertThat(d.ledger().deadLetters("orders", Optional.empty(), false))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.windowId()).isEqualTo("2024-03-04");
                assertThat(l.reason()).contains("larger than topic " + topic);
                assertThat(l.truncated()).isTrue();
                assertThat(l.runId()).isEqualTo("run");
              });
      assertThat(d.ledger().windowsWithOpenDeadLetters("orders")).containsExactly("2024-03-04");
    }
  }

  // ---------------------------------------------------------------- unknown commit outcomes

  /**
   * A real producer whose first commit does not answer: after committing (the ack is lost) or
   * before.
   */
  static final class LostCommitAnswer implements Producer<byte[], byte[]> {
    private final KafkaProducer<byte[], byte[]> real;
    private final boolean commitFirst;
    private final AtomicInteger commits;

    LostCommitAnswer(Map<String, Object> props, boolean commitFirst, AtomicInteger commits) {
      this.real = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
      this.commitFirst = commitFirst;
      this.commits = commits;
    }

    @Override
    public void commitTransaction() {
      if (commits.incrementAndGet() == 1) {
        if (commitFirst) {
          real.commitTransaction();
        }
        throw new TimeoutException("simulated: no answer to EndTxn");
      }
      real.commitTransaction();
    }

    @Override
    public void initTransactions() {
      real.initTransactions();
    }

    @Override
    public void beginTransaction() {
      real.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> o, ConsumerGroupMetadata g) {
      real.sendOffsetsToTransaction(o, g);
    }

    @Override
    public void abortTransaction() {
      real.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric m) {
      real.registerMetricForSubscription(m);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric m) {
      real.unregisterMetricFromSubscription(m);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r) {
      return real.send(r);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback c) {
      return real.send(r, c);
    }

    @Override
    public void flush() {
      real.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String t) {
      return real.partitionsFor(t);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return real.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration d) {
      return real.clientInstanceId(d);
    }

    @Override
    public void close() {
      real.close();
    }

    @Override
    public void close(Duration d) {
      real.close(d);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aCommitWithoutAnAnswerIsResolvedByReadingTheLedgerAfterANewInitTransactions(
      boolean committedBeforeTheSilence) {
    String topic = KafkaBroker.uniqueName("orders-unknown");
    ListSource source = orders();
    Pipeline p = pipeline(source, topic);
    AtomicInteger commits = new AtomicInteger();
    AtomicInteger producers = new AtomicInteger();
    Function<Map<String, Object>, Producer<byte[], byte[]>> factory =
        props ->
            producers.incrementAndGet() == 1
                ? new LostCommitAnswer(props, committedBeforeTheSilence, commits)
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    try (KafkaDestination d = new KafkaDestination(configOf(topic), services("a"), factory)) {
      RunReport r = run(d, p);
      assertThat(r.outcomes()).extracting(WindowOutcome::result).containsOnly(Result.LOADED);
      WindowOutcome first = r.outcomes().get(0);
      assertThat(first.attempts())
          .as("a commit that did not happen is retried")
          .isEqualTo(committedBeforeTheSilence ? 1 : 2);
      assertThat(producers.get()).as("a new producer after the unknown outcome").isEqualTo(2);
      assertThat(produced(topic)).isEqualTo(expected(source));
    }
  }
}
