package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.jdbc.JdbcDestination;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunListener;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.source.PartitionLag;
import dev.idem.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A follow run reports each partition's lag once per round: the offsets between the next one to
 * load and the partition's end, as the round's plan saw them.
 */
class KafkaLagTest {
  @Test
  void eachRoundReportsWhatIsLeftOfEveryPartition() {
    String topic = KafkaBroker.uniqueName("lag");
    KafkaToJdbcSuite.BROKER.createTopic(topic, 2);
    long first = KafkaToJdbcSuite.MAX_RECORDS + 10;
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (long id = 1; id <= first + 3; id++) {
      records.add(
          new ProducerRecord<>(
              topic, id <= first ? 0 : 1, Long.toString(id), KafkaToJdbcSuite.order(id)));
    }
    KafkaToJdbcSuite.BROKER.produceRecords(records); // not transactional: no commit markers
    List<PartitionLag> reported = new CopyOnWriteArrayList<>();
    RunListener listener =
        new RunListener() {
          @Override
          public void lag(PartitionLag lag) {
            reported.add(lag);
          }
        };
    try (JdbcDestination d = KafkaToDuckDbTest.duckDb(KafkaToJdbcSuite.services("a"))) {
      // two rounds: the first plans (and reports) before loading at most MAX_RECORDS a partition,
      // the second reports what the first left, then the run stops
      new Runner(d, KafkaToJdbcSuite.services("a"), listener)
          .runStream(
              KafkaToJdbcSuite.pipeline(topic, WriteStrategy.APPEND),
              RunOptions.defaults("follow"),
              new StreamOptions(true, Duration.ZERO, () -> reported.size() >= 4));
      int loaded = KafkaToJdbcSuite.orderIds(d).size();
      assertThat(loaded).isEqualTo(KafkaToJdbcSuite.MAX_RECORDS + 3);
      assertThat(reported)
          .containsExactly(
              new PartitionLag(topic, 0, first),
              new PartitionLag(topic, 1, 3),
              new PartitionLag(topic, 0, first + 3 - loaded),
              new PartitionLag(topic, 1, 0));
    }
  }
}
