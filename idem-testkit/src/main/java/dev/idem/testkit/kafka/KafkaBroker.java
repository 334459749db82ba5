package dev.idem.testkit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * One real Apache Kafka broker per test JVM, in KRaft combined mode (one node that is both
 * controller and broker), started in process from Kafka's own Maven artifacts through Kafka's test
 * kit ({@code KafkaClusterTestKit}): no Docker, nothing pre-installed. It listens on a free
 * loopback port and keeps its logs in a temp directory deleted when the JVM exits.
 *
 * <p>The broker is configured for one node (every replication factor and min ISR 1, internal topics
 * with one partition, no initial rebalance delay), with production metadata and feature versions
 * (no unstable APIs), and topics are never created implicitly: a test creates its topics with
 * {@link #createTopic} and should take a fresh name from {@link #uniqueName}, since all tests of
 * the JVM share the broker. Producers made here use a 10 s transaction timeout, and the broker
 * looks for timed-out transactions every second, so an abandoned transaction is aborted about 11 s
 * later.
 *
 * <p>Kafka logs a lot at INFO; the {@code kafka}, {@code org.apache.kafka} and {@code
 * state.change.logger} loggers are set to WARN unless a system property already sets them.
 *
 * <p>Why the test kit in process: it formats the storage, pre-binds free ports for both listeners
 * (no race between picking a port and binding it) and waits until the broker is ready, all through
 * a Java API whose failures surface as exceptions in the test. It starts in about 3 s on this
 * 2-core machine; a child JVM running {@code kafka.Kafka} after {@code StorageTool format} took
 * about the same (1 s to format, 2 s to start) but needs process and port management. What the
 * in-process broker cannot do is die abruptly: a test that must SIGKILL Kafka needs a child JVM
 * (the same test classpath, {@code kafka.Kafka server.properties}).
 *
 * <p>From a module's tests: depend on {@code dev.idem:idem-testkit} at test scope; it brings {@code
 * org.apache.kafka:kafka-test-common-runtime} (the versions are managed in the parent pom).
 */
public final class KafkaBroker {
  /** The transaction timeout of the producers made here. */
  public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration READ_LIMIT = Duration.ofSeconds(60);
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static KafkaBroker shared;

  static {
    quietKafkaLogging();
  }

  private final KafkaClusterTestKit cluster;
  private final Admin admin;
  private final Duration startup;

  private KafkaBroker(KraftNode node) {
    this.cluster = node.cluster;
    this.admin = node.admin;
    this.startup = node.startup;
  }

  /** The broker of this JVM, started on first use. */
  public static synchronized KafkaBroker shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static KafkaBroker start() {
    KraftNode node = KraftNode.start();
    KafkaBroker broker = new KafkaBroker(node);
    Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "idem-kafka-broker-stop"));
    System.err.println(
        "Kafka test broker on "
            + broker.bootstrapServers()
            + " started in "
            + broker.startupTime().toMillis()
            + " ms");
    return broker;
  }

  private static void quietKafkaLogging() {
    for (String logger : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  /** {@code host:port} of the broker's listener. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** How long this broker took to start (format, startup, ready). */
  public Duration startupTime() {
    return startup;
  }

  /** An admin client owned by the broker fixture; do not close it. */
  public Admin admin() {
    return admin;
  }

  /** A name no other caller in this JVM gets: {@code prefix-N}. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet();
  }

  /** Creates a topic (delete cleanup policy) and waits until the broker acknowledges it. */
  public void createTopic(String name, int partitions) {
    createTopic(new NewTopic(name, partitions, (short) 1));
  }

  /** Creates a log-compacted topic ({@code cleanup.policy=compact}). */
  public void createCompactedTopic(String name, int partitions) {
    createTopic(
        new NewTopic(name, partitions, (short) 1)
            .configs(
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
  }

  /**
   * Creates a topic exactly as described (partitions, replication factor, configs), and waits until
   * the broker's metadata knows it (the controller acknowledges a creation before the broker has
   * applied it, so an immediate describeConfigs could find no such topic).
   */
  public void createTopic(NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get();
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (true) {
        try {
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic.name())))
              .all()
              .get();
          admin.describeTopics(List.of(topic.name())).allTopicNames().get();
          break;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(20);
        }
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not create topic " + topic.name() + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
    }
  }

  /** Client settings common to every client of this broker (bootstrap servers). */
  public Map<String, Object> clientConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return c;
  }

  /**
   * Settings of an idempotent string producer ({@code acks=all}) for this broker; add to them
   * freely.
   */
  public Map<String, Object> producerConfig() {
    Map<String, Object> c = clientConfig();
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    return c;
  }

  /**
   * Settings of a string consumer for this broker that reads committed records only ({@code
   * isolation.level=read_committed}), from the earliest offset, without auto-commit.
   */
  public Map<String, Object> consumerConfig() {
    Map<String, Object> c = clientConfig();
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return c;
  }

  /** A new non-transactional producer; the caller closes it. */
  public KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(producerConfig());
  }

  /**
   * A new transactional producer with {@code initTransactions()} already called, which fences any
   * earlier producer of the same transactional id; the caller closes it.
   */
  public KafkaProducer<String, String> transactionalProducer(String transactionalId) {
    Map<String, Object> c = producerConfig();
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    KafkaProducer<String, String> producer = new KafkaProducer<>(c);
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    return producer;
  }

  /**
   * Sends the values (no key, partition chosen by the producer), without a transaction, and waits
   * for acks.
   */
  public void produce(String topic, List<String> values) {
    produceRecords(records(topic, values));
  }

  /** Sends the records without a transaction and waits for every ack. */
  public void produceRecords(List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer = producer()) {
      send(producer, records);
    }
  }

  /** Sends the values in one transaction that commits. */
  public void produceCommitted(String topic, List<String> values) {
    produceCommittedRecords(records(topic, values));
  }

  /** Sends the records in one transaction that commits. */
  public void produceCommittedRecords(List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer =
        transactionalProducer(uniqueName("idem-test-tx"))) {
      producer.beginTransaction();
      send(producer, records);
      producer.commitTransaction();
    }
    awaitSettled(topics(records));
  }

  /**
   * Sends the values in one transaction, waits until the broker has written them, then aborts: the
   * records take offsets in the log but a {@code read_committed} reader never sees them.
   */
  public void produceAborted(String topic, List<String> values) {
    produceAbortedRecords(records(topic, values));
  }

  /** Sends the records in one transaction that is aborted after the broker wrote them. */
  public void produceAbortedRecords(List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer =
        transactionalProducer(uniqueName("idem-test-tx"))) {
      producer.beginTransaction();
      send(producer, records);
      producer.abortTransaction();
    }
    awaitSettled(topics(records));
  }

  private static Set<String> topics(List<ProducerRecord<String, String>> records) {
    return records.stream().map(ProducerRecord::topic).collect(Collectors.toSet());
  }

  /**
   * Waits until no transaction is pending on the topics' partitions: the last stable offset equals
   * the log end offset. {@code commitTransaction()} returns once the coordinator has decided, and
   * the markers that make the records visible to {@code read_committed} readers are written just
   * after; a reader started in between would not see the transaction yet. Gives up quietly after
   * {@link #TRANSACTION_TIMEOUT} plus a margin: a transaction that is really left open is then the
   * reader's to see or not.
   */
  public void awaitSettled(Collection<String> topics) {
    long deadline = System.nanoTime() + TRANSACTION_TIMEOUT.plusSeconds(5).toNanos();
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get()
          .values()
          .forEach(
              d ->
                  d.partitions()
                      .forEach(
                          p ->
                              latest.put(
                                  new TopicPartition(d.name(), p.partition()),
                                  OffsetSpec.latest())));
      while (System.nanoTime() < deadline) {
        var stable =
            admin
                .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get();
        var end =
            admin
                .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .all()
                .get();
        if (latest.keySet().stream()
            .allMatch(tp -> stable.get(tp).offset() == end.get(tp).offset())) {
          return;
        }
        Thread.sleep(20);
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException("topic " + topics + " does not exist", e.getCause());
      }
      throw new IllegalStateException(
          "could not read the offsets of " + topics + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for transactions on " + topics, e);
    }
  }

  private static List<ProducerRecord<String, String>> records(String topic, List<String> values) {
    return values.stream()
        .map(v -> new ProducerRecord<String, String>(topic, v))
        .collect(Collectors.toList());
  }

  private static void send(
      KafkaProducer<String, String> producer, List<ProducerRecord<String, String>> records) {
    List<Future<?>> acks = new ArrayList<>();
    for (ProducerRecord<String, String> r : records) {
      acks.add(producer.send(r));
    }
    producer.flush();
    for (Future<?> ack : acks) {
      try {
        ack.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("could not send to Kafka: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while sending to Kafka", e);
      }
    }
  }

  /** The values of {@link #readCommittedRecords}, in the same order. */
  public List<String> readCommitted(String topic) {
    return readCommittedRecords(topic).stream()
        .map(ConsumerRecord::value)
        .collect(Collectors.toList());
  }

  /**
   * Every committed record of the topic, as a {@code read_committed} consumer sees it now: from the
   * beginning of each partition up to its last stable offset (the end offset for a read_committed
   * reader), ordered by partition, then offset, once the transactions that just ended are visible
   * ({@link #awaitSettled}). Records of an open transaction, and every record after them, are not
   * included. Uses no consumer group.
   */
  public List<ConsumerRecord<String, String>> readCommittedRecords(String topic) {
    awaitSettled(List.of(topic));
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .collect(Collectors.toList());
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, String>> read = new ArrayList<>();
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read topic "
                  + topic
                  + " to its end offsets "
                  + end
                  + " within "
                  + READ_LIMIT.toSeconds()
                  + " s; read "
                  + read.size()
                  + " records");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
      read.removeIf(r -> r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())));
      read.sort(
          Comparator.<ConsumerRecord<String, String>>comparingInt(ConsumerRecord::partition)
              .thenComparingLong(ConsumerRecord::offset));
      return read;
    }
  }

  private static boolean reachedEnd(
      KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
    Set<TopicPartition> partitions = end.keySet();
    for (TopicPartition p : partitions) {
      if (consumer.position(p) < end.get(p)) {
        return false;
      }
    }
    return true;
  }
}
