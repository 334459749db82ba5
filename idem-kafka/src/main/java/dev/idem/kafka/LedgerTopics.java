package dev.idem.kafka;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.kafka.LedgerRecords.Marker;
import dev.idem.ledger.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka destination's topics: the compacted ledger topic of markers and the compacted topic of
 * dead letters (created when absent, refused when not compacted: a deleted marker would let its
 * window be produced again), the output topics, and reading the ledger topics from their beginning
 * to their end with {@code read_committed}.
 */
final class LedgerTopics {
  /** How far a read of a ledger topic goes. */
  enum End {
    /**
     * The log end, waiting for transactions open on the topic to end: what a producer reads right
     * after {@code initTransactions()}, so that no committed marker is missed because another
     * pipeline's transaction holds the last stable offset back.
     */
    LOG_END,
    /**
     * The last stable offset now: a snapshot for status and dead-letter commands, which wait for
     * nothing.
     */
    STABLE
  }

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaDestinationConfig config;
  private final Admin admin;
  private final Set<String> ready = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> maxMessageBytes = new ConcurrentHashMap<>();

  LedgerTopics(KafkaDestinationConfig config, Admin admin) {
    this.config = config;
    this.admin = admin;
  }

  /**
   * Creates the ledger topics and the output topic when absent; checks that the ledger topics are
   * compacted.
   */
  void ensure(String outputTopic) {
    if (ready.containsAll(List.of(config.ledgerTopic(), config.deadLetterTopic(), outputTopic))) {
      return;
    }
    try {
      Set<String> existing = admin.listTopics().names().get(timeoutMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String ledger : List.of(config.ledgerTopic(), config.deadLetterTopic())) {
        if (!existing.contains(ledger)) {
          missing.add(
              new NewTopic(ledger, Optional.of(1), replication())
                  .configs(
                      Map.of(
                          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
      }
      if (!existing.contains(outputTopic)) {
        missing.add(
            new NewTopic(
                outputTopic,
                config.partitions() < 0 ? Optional.empty() : Optional.of(config.partitions()),
                replication()));
      }
      for (NewTopic t : missing) {
        try {
          admin.createTopics(List.of(t)).all().get(timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e; // another runner creating it at the same moment is fine
          }
        }
      }
      Map<ConfigResource, Config> configs =
          describe(
              List.of(
                  topic(config.ledgerTopic()),
                  topic(config.deadLetterTopic()),
                  topic(outputTopic)));
      for (String ledger : List.of(config.ledgerTopic(), config.deadLetterTopic())) {
        String policy =
            value(configs.get(topic(ledger)), TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)
            || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
          throw new ConfigException(
              "ledger topic "
                  + ledger
                  + " has cleanup.policy="
                  + policy
                  + ": its markers would be deleted after retention.ms"
                  + " and their windows produced again; set cleanup.policy=compact on it, or name another ledger_topic");
        }
      }
      maxMessageBytes.put(
          outputTopic,
          Integer.parseInt(
              value(
                  configs.get(topic(outputTopic)),
                  TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                  "1048588")));
      ready.addAll(List.of(config.ledgerTopic(), config.deadLetterTopic(), outputTopic));
    } catch (ExecutionException e) {
      throw failure(
          "preparing topics " + config.ledgerTopic() + " and " + outputTopic, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TransientException(
          "preparing topics "
              + config.ledgerTopic()
              + " and "
              + outputTopic
              + ": no answer from the cluster in "
              + config.timeout().toSeconds()
              + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while preparing topic " + outputTopic, e);
    }
  }

  /**
   * The topics' configs. The controller acknowledges a new topic before the brokers have applied
   * it, so a topic just created may be unknown for a moment: asked again until the timeout.
   */
  private Map<ConfigResource, Config> describe(List<ConfigResource> resources)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    long deadline = System.nanoTime() + config.timeout().toNanos();
    while (true) {
      try {
        return admin.describeConfigs(resources).all().get(timeoutMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /** The largest record (key, value and headers) the output topic and the producer accept. */
  int recordLimit(String outputTopic) {
    Object request = config.client().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    int max = request == null ? 1024 * 1024 : Integer.parseInt(request.toString());
    return Math.min(max, maxMessageBytes.getOrDefault(outputTopic, max));
  }

  /** The pipeline's markers, by window id. */
  Map<String, Marker> markers(String pipeline, End end) {
    Map<String, Marker> markers = new HashMap<>();
    read(
        config.ledgerTopic(),
        end,
        (key, r) -> {
          if (key.pipeline().equals(pipeline) && key.token() == 0) {
            if (r.value() == null) {
              markers.remove(key.windowId());
            } else {
              markers.put(
                  key.windowId(),
                  LedgerRecords.marker(pipeline, key.windowId(), r.value(), where(r)));
            }
          }
        });
    return markers;
  }

  /**
   * The pipeline's dead letters as stored (not yet joined with the markers that say which were
   * replayed).
   */
  List<DeadLetter> letters(String pipeline) {
    Map<LedgerRecords.Key, DeadLetter> letters = new HashMap<>();
    read(
        config.deadLetterTopic(),
        End.STABLE,
        (key, r) -> {
          if (key.pipeline().equals(pipeline)) {
            if (r.value() == null) {
              letters.remove(key);
            } else {
              letters.put(key, LedgerRecords.letter(key, r.value(), where(r)));
            }
          }
        });
    return new ArrayList<>(letters.values());
  }

  /**
   * Reads a compacted topic from its beginning to {@code end}, giving every record with an idem
   * key, in offset order.
   */
  private void read(
      String topic, End end, BiConsumer<LedgerRecords.Key, ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, config.timeout());
      if (infos == null || infos.isEmpty()) {
        return; // no ledger yet: nothing was ever produced
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> to =
          end == End.STABLE
              ? consumer.endOffsets(partitions, config.timeout())
              : logEnd(partitions);
      long deadline = System.nanoTime() + config.timeout().toNanos();
      while (!reached(consumer, to)) {
        if (System.nanoTime() > deadline) {
          throw new TransientException(
              "ledger topic "
                  + topic
                  + ": could not read up to offsets "
                  + to
                  + " in "
                  + config.timeout().toSeconds()
                  + " s (a transaction another producer left open on it ends within its transaction timeout)",
              null);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
            LedgerRecords.Key key = LedgerRecords.key(r.key());
            if (key != null) {
              each.accept(key, r);
            }
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new TransientException("reading ledger topic " + topic + ": " + e.getMessage(), e);
    } catch (KafkaException e) {
      throw failure("reading ledger topic " + topic, e);
    }
  }

  private Map<TopicPartition, Long> logEnd(List<TopicPartition> partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    try {
      Map<TopicPartition, Long> end = new HashMap<>();
      admin
          .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
          .all()
          .get(timeoutMillis(), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> end.put(tp, info.offset()));
      return end;
    } catch (ExecutionException e) {
      throw failure("reading the end of " + partitions, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TransientException(
          "reading the end of "
              + partitions
              + ": no answer from the cluster in "
              + config.timeout().toSeconds()
              + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while reading the end of " + partitions, e);
    }
  }

  private boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> to) {
    for (var e : to.entrySet()) {
      if (consumer.position(e.getKey(), config.timeout()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> props = new HashMap<>(config.client());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "idem-ledger-reader");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static String where(ConsumerRecord<?, ?> r) {
    return "ledger topic " + r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  private Optional<Short> replication() {
    return config.replicationFactor() < 0
        ? Optional.empty()
        : Optional.of((short) config.replicationFactor());
  }

  private static ConfigResource topic(String name) {
    return new ConfigResource(ConfigResource.Type.TOPIC, name);
  }

  private static String value(Config c, String name, String otherwise) {
    ConfigEntry e = c == null ? null : c.get(name);
    return e == null || e.value() == null ? otherwise : e.value();
  }

  private long timeoutMillis() {
    return config.timeout().toMillis();
  }

  /**
   * A cluster error as idem reports it: authorization and configuration errors are not retried, the
   * rest are.
   */
  static IdemException failure(String doing, Throwable cause) {
    String message = doing + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (cause instanceof AuthorizationException
        || cause instanceof AuthenticationException
        || cause instanceof InvalidConfigurationException
        || cause instanceof PolicyViolationException
        || cause instanceof InvalidReplicationFactorException
        || cause instanceof InvalidTxnTimeoutException) {
      return new ConfigException(message);
    }
    return new TransientException(message, cause);
  }
}
