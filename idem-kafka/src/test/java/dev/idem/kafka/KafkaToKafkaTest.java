package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.context.RunServices;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.WindowSpec;
import dev.idem.window.WindowSpec.OffsetsId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kafka to Kafka (read-process-write), exactly once: offsets windows of a source topic produced to
 * an output topic, each window's records, marker and the source offsets for the pipeline's consumer
 * group in one transaction. The ledger (the markers) still plans the windows, as for a database
 * destination; the group's offsets show the same positions to lag monitors.
 */
class KafkaToKafkaTest {
  static final KafkaBroker BROKER = KafkaBroker.shared();
  static final ObjectMapper JSON = new ObjectMapper();

  static Pipeline pipeline(String source, String out, BadRecordPolicy bad) {
    KafkaSourceConfig config =
        KafkaSourceConfig.of(BROKER.bootstrapServers(), source)
            .withMaxRecords(KafkaToJdbcSuite.MAX_RECORDS);
    return Pipeline.builder("orders")
        .version("1")
        .source(new KafkaSource(KafkaToJdbcSuite.ORDERS, config))
        .windows(WindowSpec.offsets())
        .table(out)
        .key("order_id")
        .strategy(WriteStrategy.APPEND)
        .badRecords(bad)
        .build();
  }

  static RunReport drain(KafkaDestination d, Pipeline p, RunServices services) {
    return new Runner(d, services)
        .runStream(p, RunOptions.defaults("r"), StreamOptions.untilCaughtUp());
  }

  static RunServices services(String owner) {
    return KafkaDestinationTest.services(owner);
  }

  /**
   * What the output topic must hold: each committed JSON record of the source once, keyed by its
   * order id, its value carrying the source partition it came from.
   */
  static List<String> expected(String source) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : BROKER.readCommittedRecords(source)) {
      JsonNode n;
      try {
        n = JSON.readTree(r.value());
      } catch (IOException e) {
        continue; // the record that is not JSON is a dead letter, not output
      }
      if (!n.path("order_id").isIntegralNumber()) {
        continue; // so is one whose order id is not an integer
      }
      out.add(
          n.get("order_id").asText()
              + " {\"order_id\":"
              + n.get("order_id").asText()
              + ",\"customer\":\""
              + n.get("customer").asText()
              + "\",\"amount\":"
              + n.get("amount").asText()
              + ",\"_kafka_partition\":"
              + r.partition()
              + "}");
    }
    out.sort(null);
    return out;
  }

  static List<String> produced(String topic) {
    List<String> out = new ArrayList<>();
    BROKER.readCommittedRecords(topic).forEach(r -> out.add(r.key() + " " + r.value()));
    out.sort(null);
    return out;
  }

  static Map<TopicPartition, Long> groupOffsets(KafkaDestination d) {
    BROKER.awaitSettled(
        List.of("__consumer_offsets")); // transactional offsets show once their commit marker is
    // written
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          BROKER
              .admin()
              .listConsumerGroupOffsets(d.config().group("orders"))
              .partitionsToOffsetAndMetadata()
              .get();
      Map<TopicPartition, Long> out = new HashMap<>();
      committed.forEach((tp, o) -> out.put(tp, o.offset()));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Each source partition's position as the ledger's markers record it (the end of its last done
   * window).
   */
  static Map<TopicPartition, Long> ledgerPositions(KafkaDestination d) {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (WindowState s : d.ledger().states("orders")) {
      if (s.status() == WindowStatus.DONE) {
        OffsetsId id = OffsetsId.parse(s.windowId());
        out.merge(
            new TopicPartition(id.topic(), id.partition()),
            Long.parseLong(s.sourcePosition()),
            Math::max);
      }
    }
    return out;
  }

  @Test
  void eachCommittedSourceRecordIsProducedOnceAndTheGroupOffsetsCommitWithIt() {
    String source = KafkaToJdbcSuite.topicWithOrders();
    String out = KafkaBroker.uniqueName("orders-copy");
    Pipeline p = pipeline(source, out, new BadRecordPolicy(5, null));
    try (KafkaDestination d = KafkaDestinationTest.open(out, "a")) {
      RunReport first = drain(d, p, services("a"));
      assertThat(first.ok()).as(first.outcomes().toString()).isTrue();
      List<String> once = produced(out);
      assertThat(once).isEqualTo(expected(source)).hasSize(300);
      Map<TopicPartition, Long> ends = KafkaToJdbcSuite.endOffsets(source);
      assertThat(groupOffsets(d)).isEqualTo(ends).isEqualTo(ledgerPositions(d));
      assertThat(d.ledger().states("orders"))
          .allSatisfy(s -> assertThat(s.counts().balanced()).isTrue());
      assertThat(d.ledger().deadLetters("orders", Optional.empty(), true))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.position()).startsWith(source + "-0@");
                assertThat(l.raw()).isEqualTo("not json {");
                assertThat(l.reason()).contains("malformed JSON");
              });

      RunReport again = drain(d, p, services("a"));
      assertThat(again.count(Result.LOADED)).isZero();
      assertThat(produced(out)).isEqualTo(once);
    }

    List<ProducerRecord<String, String>> more = new ArrayList<>();
    for (long id = 301; id <= 320; id++) {
      more.add(new ProducerRecord<>(source, Long.toString(id), KafkaToJdbcSuite.order(id)));
    }
    BROKER.produceCommittedRecords(more);
    try (KafkaDestination restarted = KafkaDestinationTest.open(out, "b")) {
      RunReport next = drain(restarted, p, services("b"));
      assertThat(next.ok()).isTrue();
      assertThat(produced(out)).isEqualTo(expected(source)).hasSize(320);
      assertThat(groupOffsets(restarted))
          .isEqualTo(KafkaToJdbcSuite.endOffsets(source))
          .isEqualTo(ledgerPositions(restarted));
    }
  }

  @ParameterizedTest
  @EnumSource(FaultPoint.class)
  void aCrashAtEveryFaultPointThenARetryProducesEachRecordOnce(FaultPoint point) {
    String source = KafkaToJdbcSuite.topicWithOrders();
    String out = KafkaBroker.uniqueName("orders-copy-crash");
    Pipeline p = pipeline(source, out, new BadRecordPolicy(5, null));
    String victim = WindowSpec.offsetsId(source, 1, KafkaToJdbcSuite.MAX_RECORDS);
    try (KafkaDestination d = KafkaDestinationTest.open(out, "a")) {
      CrashAt crash = new CrashAt(point, victim);
      assertThatThrownBy(() -> drain(d, p, services("a").withFaults(crash)))
          .isInstanceOf(SimulatedCrash.class);
      try (KafkaDestination again = KafkaDestinationTest.open(out, "b")) {
        RunReport retry = drain(again, p, services("b"));
        assertThat(retry.ok()).as(retry.outcomes().toString()).isTrue();
        assertThat(produced(out)).as("crash at %s then retry", point).isEqualTo(expected(source));
        assertThat(groupOffsets(again))
            .isEqualTo(KafkaToJdbcSuite.endOffsets(source))
            .isEqualTo(ledgerPositions(again));
      }
    }
  }

  @Test
  void aWindowWithTooManyPoisonRecordsFailsKeepingThemAndLoadsOnceTheLimitAllows() {
    String source = KafkaBroker.uniqueName("poison");
    BROKER.createTopic(source, 1);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (long id = 1; id <= 20; id++) {
      records.add(new ProducerRecord<>(source, Long.toString(id), KafkaToJdbcSuite.order(id)));
      if (id % 7 == 0) {
        records.add(new ProducerRecord<>(source, "bad" + id, "{\"order_id\": \"seven\"}"));
      }
    }
    BROKER.produceCommittedRecords(records);
    String out = KafkaBroker.uniqueName("poison-out");
    String window = WindowSpec.offsetsId(source, 0, 0);
    try (KafkaDestination d = KafkaDestinationTest.open(out, "a")) {
      RunReport strict =
          drain(d, pipeline(source, out, new BadRecordPolicy(1, null)), services("a"));
      assertThat(strict.outcomes())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.result()).isEqualTo(Result.FAILED);
                assertThat(o.message()).contains("max_bad_records 1");
              });
      assertThat(produced(out)).isEmpty();
      assertThat(groupOffsets(d)).as("no offsets for a window that did not commit").isEmpty();
      assertThat(d.ledger().state("orders", window))
          .get()
          .extracting(WindowState::status)
          .isEqualTo(WindowStatus.FAILED);
      List<DeadLetter> kept = d.ledger().deadLetters("orders", Optional.of(window), false);
      assertThat(kept)
          .extracting(DeadLetter::raw)
          .containsExactly("{\"order_id\": \"seven\"}", "{\"order_id\": \"seven\"}");
      assertThat(kept)
          .extracting(DeadLetter::position)
          .containsExactly(source + "-0@7", source + "-0@15");

      // the bad-record limit is not part of the definition: raising it lets the same window load
      RunReport lenient =
          drain(d, pipeline(source, out, new BadRecordPolicy(5, null)), services("a"));
      assertThat(lenient.ok()).isTrue();
      assertThat(produced(out)).isEqualTo(expected(source)).hasSize(20);
      assertThat(groupOffsets(d))
          .isEqualTo(KafkaToJdbcSuite.endOffsets(source))
          .isEqualTo(ledgerPositions(d));
      List<DeadLetter> open = d.ledger().deadLetters("orders", Optional.empty(), false);
      assertThat(open)
          .extracting(DeadLetter::position)
          .containsExactly(source + "-0@7", source + "-0@15");
      assertThat(open).allSatisfy(l -> assertThat(l.replayed()).isFalse());
      List<DeadLetter> all = d.ledger().deadLetters("orders", Optional.empty(), true);
      assertThat(all)
          .hasSize(4)
          .filteredOn(DeadLetter::replayed)
          .hasSize(2)
          .allSatisfy(l -> assertThat(l.token()).isLessThan(open.get(0).token()));
      assertThat(d.ledger().windowsWithOpenDeadLetters("orders")).containsExactly(window);
    }
    BROKER.awaitSettled(List.of(KafkaDestinationTest.configOf(out).deadLetterTopic()));
    try (KafkaDestination viewer = KafkaDestinationTest.open(out, "viewer")) {
      assertThat(viewer.ledger().deadLetters("orders", Optional.empty(), true)).hasSize(4);
      assertThat(viewer.ledger().purgeDeadLetters("orders", Instant.now().plusSeconds(60)))
          .isEqualTo(4);
      assertThat(viewer.ledger().deadLetters("orders", Optional.empty(), true)).isEmpty();
    }
  }
}
