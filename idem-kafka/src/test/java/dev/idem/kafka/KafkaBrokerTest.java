package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.testkit.kafka.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

/** The shared test broker: it starts, creates topics, and honours transactions and fencing. */
class KafkaBrokerTest {
  private final KafkaBroker broker = KafkaBroker.shared();

  @Test
  void createsATopicWithThreePartitions() throws Exception {
    String topic = KafkaBroker.uniqueName("orders");
    broker.createTopic(topic, 3);

    TopicDescription description =
        broker.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    assertThat(description.partitions()).hasSize(3);
    assertThat(description.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
    assertThat(broker.bootstrapServers()).matches("localhost:\\d+");
  }

  @Test
  void createsACompactedTopic() throws Exception {
    String topic = KafkaBroker.uniqueName("customers");
    broker.createCompactedTopic(topic, 2);

    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = broker.admin().describeConfigs(List.of(resource)).all().get().get(resource);
    assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  @Test
  void aReadCommittedReaderSeesCommittedTransactionsButNotAbortedOnes() {
    String topic = KafkaBroker.uniqueName("events");
    broker.createTopic(topic, 3);

    broker.produceCommitted(topic, List.of("{\"id\":1}", "{\"id\":2}"));
    broker.produceAborted(topic, List.of("{\"id\":666}", "{\"id\":667}"));
    broker.produce(topic, List.of("{\"id\":3}"));
    broker.produceCommitted(topic, List.of("{\"id\":4}"));

    assertThat(broker.readCommitted(topic))
        .containsExactlyInAnyOrder("{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "{\"id\":4}");
  }

  @Test
  void readsEachPartitionInOffsetOrder() {
    String topic = KafkaBroker.uniqueName("keyed");
    broker.createTopic(topic, 3);
    broker.produceCommittedRecords(
        List.of(
            new ProducerRecord<>(topic, 2, "k", "c1"),
            new ProducerRecord<>(topic, 0, "k", "a1"),
            new ProducerRecord<>(topic, 2, "k", "c2"),
            new ProducerRecord<>(topic, 0, "k", "a2")));
    broker.produceAbortedRecords(List.of(new ProducerRecord<>(topic, 1, "k", "b-aborted")));

    List<ConsumerRecord<String, String>> read = broker.readCommittedRecords(topic);
    assertThat(read).extracting(ConsumerRecord::value).containsExactly("a1", "a2", "c1", "c2");
    assertThat(read).extracting(ConsumerRecord::partition).containsExactly(0, 0, 2, 2);
  }

  @Test
  @SuppressWarnings(
      "FutureReturnValueIgnored") // what the sends became is read from the commits and the topic
  void aSecondProducerWithTheSameTransactionalIdFencesTheFirst() {
    String topic = KafkaBroker.uniqueName("fenced");
    broker.createTopic(topic, 1);
    String transactionalId = KafkaBroker.uniqueName("writer");

    try (KafkaProducer<String, String> zombie = broker.transactionalProducer(transactionalId)) {
      zombie.beginTransaction();
      zombie.send(new ProducerRecord<>(topic, "{\"from\":\"zombie\"}"));
      zombie.flush();

      try (KafkaProducer<String, String> successor =
          broker.transactionalProducer(transactionalId)) {
        assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);

        successor.beginTransaction();
        successor.send(new ProducerRecord<>(topic, "{\"from\":\"successor\"}"));
        successor.commitTransaction();
      }
    }

    assertThat(broker.readCommitted(topic)).containsExactly("{\"from\":\"successor\"}");
  }

  @Test
  void readingATopicThatDoesNotExistFails() {
    assertThatThrownBy(() -> broker.readCommitted(KafkaBroker.uniqueName("missing")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void usesProductionFeatureLevels() throws Exception {
    Map<String, ?> finalized =
        broker.admin().describeFeatures().featureMetadata().get().finalizedFeatures();
    assertThat(finalized).containsKey("transaction.version");
  }
}
