package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Finding;
import dev.idem.pipeline.Pipeline;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code idem doctor} on a Kafka destination: a transaction of the pipeline's transactional id open
 * past its timeout is a finding, which the fix aborts; one within its timeout belongs to a live
 * runner and is left alone. The broker's own clock cannot be moved, so the doctor is given a clock
 * ahead of it.
 */
class KafkaDoctorTest {
  private static final KafkaBroker BROKER = KafkaBroker.shared();

  @Test
  void aTransactionOpenPastItsTimeoutIsFoundAndAborted() throws Exception {
    KafkaDestinationConfig config = KafkaDestinationTest.freshConfig();
    String topic = KafkaBroker.uniqueName("doctor-out");
    BROKER.createTopic(topic, 1);
    Pipeline p = KafkaDestinationTest.pipeline(KafkaDestinationTest.orders(), topic);
    MutableClock clock = new MutableClock(Instant.now());
    RunServices services = KafkaDestinationTest.services("doctor").withClock(clock);
    var props = BROKER.producerConfig();
    props.put("transactional.id", config.transactionalId(p.name()));
    props.put("transaction.timeout.ms", 60_000);
    try (KafkaProducer<String, String> runner = new KafkaProducer<>(props);
        KafkaDestination d = KafkaDestination.open(config, services)) {
      runner.initTransactions();
      runner.beginTransaction();
      runner.send(new ProducerRecord<>(topic, "1", "{\"order_id\": 1}")).get();

      assertThat(d.diagnose(p)).as("a transaction within its timeout is a live runner's").isEmpty();

      clock.advance(Duration.ofSeconds(61));
      List<Finding> findings = d.diagnose(p);
      assertThat(findings)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.kind()).isEqualTo("lingering_transaction");
                assertThat(f.subject()).isEqualTo(config.transactionalId(p.name()));
                assertThat(f.description()).contains("past its 60 s timeout", "1 partition(s)");
                assertThat(f.fixable()).isTrue();
              });
      assertThat(findings.get(0).fix().apply()).startsWith("aborted the open transaction");
      var after =
          BROKER
              .admin()
              .describeTransactions(List.of(config.transactionalId(p.name())))
              .description(config.transactionalId(p.name()))
              .get();
      assertThat(after.state())
          .isIn(
              TransactionState.COMPLETE_ABORT,
              TransactionState.EMPTY,
              TransactionState.PREPARE_ABORT);
      assertThat(BROKER.readCommitted(topic)).as("the aborted record is invisible").isEmpty();
      assertThat(d.diagnose(p)).isEmpty();
    }
  }
}
