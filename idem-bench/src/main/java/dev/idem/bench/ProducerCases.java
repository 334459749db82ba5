package dev.idem.bench;

import dev.idem.context.RunServices;
import dev.idem.json.JsonObjects;
import dev.idem.kafka.KafkaDestination;
import dev.idem.kafka.KafkaDestinationConfig;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.ValueParser;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.WindowSpec;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka bench's cases that produce the orders to a topic (see {@link KafkaBench}): k4 and k5
 * with Kafka's producer, without and with transactions, k6 through idem's Kafka destination.
 */
final class ProducerCases {
  private final KafkaBroker broker;
  private final OrderMessages messages;
  private final long maxRecords;
  private final String topic;

  ProducerCases(KafkaBroker broker, OrderMessages messages, long maxRecords, String topic) {
    this.broker = broker;
    this.messages = messages;
    this.maxRecords = maxRecords;
    this.topic = topic;
  }

  // ---- k4, k5: producers ----------------------------------------------------------------------

  enum Transactions {
    NONE,
    ON
  }

  /**
   * Sends every message (key = order id) and waits for every ack; with transactions, commits every
   * {@code perTransaction}.
   */
  static void produce(
      KafkaBroker broker,
      String topic,
      OrderMessages messages,
      Transactions tx,
      long perTransaction) {
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
        // a failed send is recorded by its callback and fails the case; the future adds nothing
        var unused =
            producer.send(
                new ProducerRecord<>(topic, messages.keys[i], messages.values[i]),
                (m, e) -> {
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
      throw new IllegalStateException(
          "producing to " + topic + " failed: " + failed.get(), failed.get());
    }
  }

  // ---- k6: idem's Kafka destination -----------------------------------------------------------

  /**
   * The orders, typed once (untimed) from their JSON, loaded by idem into a topic: windows of
   * {@code max_records} rows, each produced with its ledger marker in one transaction. idem builds
   * each message's JSON from the typed row (k4 and k5 send the prebuilt strings).
   */
  void idemToKafka(int run) throws Exception {
    String out = topic + "-k6-" + run;
    MemoryRows rows = new MemoryRows(typedRows(), maxRecords);
    Pipeline p =
        Pipeline.builder("k6-" + run)
            .version("1")
            .source(rows)
            .windows(WindowSpec.batch())
            .table(out)
            .key("id")
            .strategy(WriteStrategy.APPEND)
            .build();
    KafkaDestinationConfig config =
        KafkaDestinationConfig.of(broker.bootstrapServers())
            .withLedgerTopic("_idem_k6_" + run)
            .withIdPrefix("bench-k6-" + run)
            .withPartitions(KafkaBench.PARTITIONS);
    RunServices services = RunServices.defaults();
    try (KafkaDestination d = KafkaDestination.open(config, services)) {
      ConsumerCases.requireOk(
          new Runner(d, services)
              .run(p, rows.windows(WindowSpec.batch()), RunOptions.defaults("k6-" + run)));
    }
    long committed = BenchTopics.countCommitted(broker, out);
    if (committed != messages.size()) {
      throw new IllegalStateException(
          out + " holds " + committed + " committed records, expected " + messages.size());
    }
  }

  private Object[][] typed;

  Object[][] typedRows() {
    if (typed == null) {
      typed = new Object[messages.size()][];
      for (int i = 0; i < typed.length; i++) {
        Object[] values = JsonObjects.parse(messages.values[i], KafkaBench.ORDERS, "message " + i);
        for (int c = 0; c < values.length; c++) {
          values[c] = ValueParser.convert(KafkaBench.ORDERS.column(c), values[c]);
        }
        typed[i] = values;
      }
    }
    return typed;
  }
}
