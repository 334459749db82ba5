package dev.idem.kafka;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.Finding;
import dev.idem.destination.SupportsDoctor;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka topics as a destination: a pipeline's target table names the topic its records are produced
 * to, exactly once. Each window is one Kafka transaction of the pipeline's producer, whose {@code
 * transactional.id} is stable ({@code <id_prefix>.<pipeline>}), so a restarted runner fences its
 * zombie: the window's records, its dead letters and its marker in the compacted ledger topic (with
 * a Kafka source, also the source offsets for the pipeline's consumer group) commit together or not
 * at all, and the ledger is read only after {@code initTransactions()}, so a window retried after
 * any failure is never produced twice.
 *
 * <p>Only strategy {@code append} is supported, and a window is produced once: a topic cannot be
 * updated, truncated or take records back, since consumers may have read them. {@code merge},
 * {@code replace_window}, {@code replace_table} and SQL transforms are refused when the run is
 * planned; a done window whose input or definition changed, or that a run forces, is refused when
 * it comes up (reset it to produce it again, duplicates included). Records are not deduplicated by
 * key, within or across windows: keys choose partitions (and what compaction keeps).
 */
public final class KafkaDestination implements Destination, SupportsDoctor {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private final KafkaDestinationConfig config;
  private final RunServices services;
  private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
  private final Admin admin;
  private final LedgerTopics topics;
  private final KafkaLedger ledger = new KafkaLedger(this);
  private final Map<String, PipelineProducer> pipelines = new ConcurrentHashMap<>();

  KafkaDestination(
      KafkaDestinationConfig config,
      RunServices services,
      Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
    this.config = config;
    this.services = services;
    this.producers = producers;
    Map<String, Object> adminProps = new HashMap<>(config.client());
    adminProps.put(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.timeout().toMillis());
    adminProps.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "idem-admin");
    try {
      this.admin = Admin.create(adminProps);
    } catch (KafkaException e) {
      throw new ConfigException("kafka destination " + describe() + ": " + e.getMessage(), e);
    }
    this.topics = new LedgerTopics(config, admin);
  }

  /**
   * A destination on the cluster the config names; nothing is contacted before the first pipeline
   * is prepared.
   */
  public static KafkaDestination open(KafkaDestinationConfig config, RunServices services) {
    return new KafkaDestination(
        config,
        services,
        props -> new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  /** Refuses what a topic cannot do, saying why. */
  @Override
  public void check(Pipeline pipeline) {
    WriteStrategy s = pipeline.target().strategy();
    String where =
        "pipeline " + pipeline.name() + " writes to kafka topic " + pipeline.target().table();
    if (s == WriteStrategy.MERGE) {
      throw new ConfigException(
          where
              + ": strategy merge is not supported: a topic's records cannot be updated in place, since consumers may"
              + " already have read them; use strategy append (on a compacted topic, consumers keep the latest record of each key)");
    }
    if (s == WriteStrategy.REPLACE_WINDOW || s == WriteStrategy.REPLACE_TABLE) {
      throw new ConfigException(
          where
              + ": strategy "
              + s.label()
              + " is not supported: a topic cannot be truncated or have records deleted,"
              + " since consumers may already have read them; use strategy append");
    }
    if (pipeline.transformSql() != null) {
      throw new ConfigException(
          where
              + ": SQL transforms are not supported: they run inside a database, and a topic is not one;"
              + " transform with a Java row function, or load into a database destination");
    }
    String topic = pipeline.target().table();
    if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new ConfigException(
          "pipeline "
              + pipeline.name()
              + ": target '"
              + topic
              + "' is not a valid Kafka topic name:"
              + " expected letters, digits, '.', '_', '-' (at most 249)");
    }
    if (topic.equals(config.ledgerTopic()) || topic.equals(config.deadLetterTopic())) {
      throw new ConfigException(
          "pipeline "
              + pipeline.name()
              + ": target topic "
              + topic
              + " is idem's ledger topic; name another topic");
    }
  }

  @Override
  public void prepare(Pipeline pipeline) {
    check(pipeline);
    topics.ensure(pipeline.target().table());
    producer(pipeline.name()).open();
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context) {
    return producer(pipeline.name()).begin(pipeline, lease, context);
  }

  /**
   * The records the window's marker says it produced: a topic cannot be counted by window
   * (retention may also have removed them).
   */
  @Override
  public long rowsInTarget(Pipeline pipeline, String windowId) {
    return ledger.state(pipeline.name(), windowId).map(s -> s.counts().targetRows()).orElse(0L);
  }

  @Override
  public void dropTarget(Pipeline pipeline) {
    throw new IdemException(
        "kafka topic "
            + pipeline.target().table()
            + " is not dropped by idem: consumers may already have read its records;"
            + " delete the topic yourself if that is what you want, then run idem reset to produce every window again");
  }

  /**
   * A transaction of the pipeline's {@code transactional.id} open longer than its timeout (a
   * hanging transaction: its producer died and the coordinator did not abort it), which holds back
   * every {@code read_committed} reader of the partitions it wrote; and failed windows. The fix
   * starts a producer with the same id: {@code initTransactions()} aborts the open transaction and
   * fences its producer, which is dead or past its timeout. A transaction within its timeout
   * belongs to a live runner and is not a finding.
   */
  @Override
  public List<Finding> diagnose(Pipeline pipeline) {
    List<Finding> findings = new ArrayList<>();
    String id = config.transactionalId(pipeline.name());
    try {
      TransactionDescription t = admin.describeTransactions(List.of(id)).description(id).get();
      long now = services.clock().millis();
      boolean open =
          t.state() == TransactionState.ONGOING
              || t.state() == TransactionState.PREPARE_COMMIT
              || t.state() == TransactionState.PREPARE_ABORT;
      if (open
          && t.transactionStartTimeMs().isPresent()
          && now - t.transactionStartTimeMs().getAsLong() > t.transactionTimeoutMs()) {
        long seconds = (now - t.transactionStartTimeMs().getAsLong()) / 1000;
        findings.add(
            Finding.fixable(
                "lingering_transaction",
                id,
                "transaction of "
                    + id
                    + " has been "
                    + t.state().toString().toLowerCase(Locale.ROOT)
                    + " for "
                    + seconds
                    + " s, past its "
                    + t.transactionTimeoutMs() / 1000
                    + " s timeout, on "
                    + t.topicPartitions().size()
                    + " partition(s): read_committed readers of them are held back",
                () -> {
                  try (Producer<byte[], byte[]> p = newProducer(id)) {
                    p.initTransactions();
                  }
                  return "aborted the open transaction of "
                      + id
                      + " (initTransactions with the same id)";
                }));
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
        throw LedgerTopics.failure("describing the transactions of " + id, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while describing the transactions of " + id, e);
    }
    for (WindowState w : ledger.states(pipeline.name())) {
      if (w.status() == WindowStatus.FAILED) {
        findings.add(
            Finding.report(
                "failed_window",
                w.windowId(),
                "window " + w.windowId() + " failed: " + w.error() + "; the next run produces it"));
      }
    }
    return findings;
  }

  @Override
  public String describe() {
    return "kafka " + config.bootstrapServers();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public void close() {
    pipelines.values().forEach(PipelineProducer::close);
    admin.close(Duration.ofSeconds(5));
  }

  // ---------------------------------------------------------------- for the package

  KafkaDestinationConfig config() {
    return config;
  }

  RunServices services() {
    return services;
  }

  LedgerTopics topics() {
    return topics;
  }

  PipelineProducer producer(String pipeline) {
    return pipelines.computeIfAbsent(pipeline, p -> new PipelineProducer(this, p));
  }

  /** The pipeline's producer when this process has one; null when it only looks at the ledger. */
  PipelineProducer existingProducer(String pipeline) {
    return pipelines.get(pipeline);
  }

  /** A new transactional producer with idem's settings over the client's. */
  Producer<byte[], byte[]> newProducer(String transactionalId) {
    Map<String, Object> props = new HashMap<>(config.client());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.transactionTimeout().toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeout().toMillis());
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "idem-" + transactionalId);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try {
      return producers.apply(props);
    } catch (KafkaException e) {
      throw new ConfigException(
          "kafka destination " + describe() + ": cannot create a producer: " + e.getMessage(), e);
    }
  }

  /**
   * Tombstones for dead letters (purge), from a plain idempotent producer: purging fences nobody.
   */
  void deleteLetters(String pipeline, List<DeadLetter> letters) {
    if (letters.isEmpty()) {
      return;
    }
    Map<String, Object> props = new HashMap<>(config.client());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeout().toMillis());
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<?>> acks = new ArrayList<>();
      for (DeadLetter l : letters) {
        acks.add(
            p.send(
                new ProducerRecord<>(
                    config.deadLetterTopic(),
                    LedgerRecords.letterKey(pipeline, l.windowId(), l.token(), l.seq()),
                    null)));
      }
      p.flush();
      for (Future<?> ack : acks) {
        ack.get();
      }
    } catch (KafkaException e) {
      throw LedgerTopics.failure(
          "purging dead letters of " + pipeline + " from " + config.deadLetterTopic(), e);
    } catch (ExecutionException e) {
      throw LedgerTopics.failure(
          "purging dead letters of " + pipeline + " from " + config.deadLetterTopic(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while purging dead letters of " + pipeline, e);
    }
  }
}
