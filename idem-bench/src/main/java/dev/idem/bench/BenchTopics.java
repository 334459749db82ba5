package dev.idem.bench;

import dev.idem.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The topics of the Kafka bench: created so that a producer can use them at once, read to their
 * end.
 */
final class BenchTopics {
  private BenchTopics() {}

  /**
   * Creates a topic and waits until every partition answers for its offsets, that is until the
   * broker leads it. An idempotent producer that sends while a new partition's leader is not yet in
   * place gets NOT_LEADER_OR_FOLLOWER for its first batch, the later batches are appended, and the
   * first one then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen here
   * with Kafka 4.1.1).
   */
  static void createTopic(KafkaBroker broker, String name) {
    broker.createTopic(name, KafkaBench.PARTITIONS);
    Map<String, Object> c = broker.consumerConfig();
    try (KafkaConsumer<byte[], byte[]> probe =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.size() < KafkaBench.PARTITIONS) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic "
                  + name
                  + " has "
                  + partitions.size()
                  + " of "
                  + KafkaBench.PARTITIONS
                  + " partitions after 30 s");
        }
        partitions =
            probe.partitionsFor(name, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(name, i.partition()))
                .toList();
      }
      probe.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  /** The records a read_committed consumer sees in the topic. */
  static long countCommitted(KafkaBroker broker, String name) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            broker.consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          c.partitionsFor(name).stream().map(i -> new TopicPartition(name, i.partition())).toList();
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

  /**
   * Whether the consumer, assigned every partition of {@code end}, has read up to those offsets.
   */
  static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
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
}
