package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** How a Kafka source plans its windows from the ledger, against a real broker. */
class KafkaSourcePlanTest {
  private static final KafkaBroker BROKER = KafkaBroker.shared();
  private static final Schema SCHEMA = Schema.of(Column.of("id", DataType.INTEGER));

  private static void produce(String topic, int partition, int from, int to) {
    List<ProducerRecord<String, String>> records = new java.util.ArrayList<>();
    for (int id = from; id <= to; id++) {
      records.add(
          new ProducerRecord<>(topic, partition, Integer.toString(id), "{\"id\": " + id + "}"));
    }
    BROKER.produceCommittedRecords(records);
  }

  private static WindowState done(String windowId, long end) {
    return new WindowState(
        "p",
        windowId,
        WindowStatus.DONE,
        "f",
        "h",
        null,
        null,
        null,
        1,
        null,
        1,
        null,
        null,
        null,
        null,
        null,
        Long.toString(end));
  }

  /**
   * A run without {@code --follow} loads each partition up to its end when the run first saw it, a
   * partition added during the run too: records that keep arriving on it do not keep the run going
   * (its end was fixed only for the partitions of the run's first plan).
   */
  @Test
  void aBoundedRunFixesTheEndOfAPartitionAddedDuringItWhenItFirstSeesIt() throws Exception {
    String topic = KafkaBroker.uniqueName("grows");
    BROKER.createTopic(topic, 1);
    Source bounded =
        new KafkaSource(SCHEMA, KafkaSourceConfig.of(BROKER.bootstrapServers(), topic)).upToNow();
    WindowSpec spec = WindowSpec.offsets();
    assertThat(bounded.windows(spec, List.of())).isEmpty();

    BROKER.admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get();
    produce(topic, 1, 1, 3); // offsets 0 to 3: three records and the transaction's marker
    String first = WindowSpec.offsetsId(topic, 1, 0);
    assertThat(bounded.windows(spec, List.of())).extracting(Window::id).containsExactly(first);

    produce(topic, 1, 4, 6);
    assertThat(bounded.windows(spec, List.of(done(first, 4))))
        .as("loaded to the end it had when first seen: nothing more in this run")
        .isEmpty();
    // a run started now loads the rest
    Source next =
        new KafkaSource(SCHEMA, KafkaSourceConfig.of(BROKER.bootstrapServers(), topic)).upToNow();
    assertThat(next.windows(spec, List.of(done(first, 4))))
        .extracting(Window::id)
        .containsExactly(WindowSpec.offsetsId(topic, 1, 4));
  }
}
