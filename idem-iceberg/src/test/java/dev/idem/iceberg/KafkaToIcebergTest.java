package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunServices;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.kafka.KafkaSource;
import dev.idem.kafka.KafkaSourceConfig;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.StreamOptions;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Kafka topic into an Iceberg table, exactly once: each offsets window's end offset is in the
 * window's ledger entry, which lands in the same Iceberg commit as its rows; a run crashed at any
 * fault point and run again holds every message once (the real in-process broker).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaToIcebergTest {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("_kafka_partition", DataType.INTEGER));
  private static final KafkaBroker BROKER = KafkaBroker.shared();
  private static final int ORDERS_PRODUCED = 120;
  private static final long MAX_RECORDS = 25;

  @TempDir Path dir;
  private String topic;
  private int warehouses;

  @BeforeAll
  void produce() {
    topic = KafkaBroker.uniqueName("orders");
    BROKER.createTopic(topic, 2);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (long id = 1; id <= ORDERS_PRODUCED; id++) {
      records.add(
          new ProducerRecord<>(
              topic,
              Long.toString(id),
              "{\"order_id\": " + id + ", \"customer\": \"c" + (id % 7) + "\"}"));
    }
    BROKER.produceCommittedRecords(records);
  }

  private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T00:00:00Z"));

  private RunServices services(String owner) {
    return RunServices.defaults()
        .withClock(clock)
        .withOwner(owner)
        .withLeaseTtl(Duration.ofMinutes(5))
        .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
  }

  private Pipeline pipeline() {
    return Pipeline.builder("orders")
        .version("1")
        .source(
            new KafkaSource(
                ORDERS,
                KafkaSourceConfig.of(BROKER.bootstrapServers(), topic).withMaxRecords(MAX_RECORDS)))
        .windows(WindowSpec.offsets())
        .table("orders")
        .key("order_id")
        .strategy(WriteStrategy.APPEND)
        .build();
  }

  private static RunReport drain(IcebergDestination d, Pipeline p, RunServices services) {
    return new Runner(d, services)
        .runStream(p, RunOptions.defaults("r"), StreamOptions.untilCaughtUp());
  }

  private static List<Long> orderIds(IcebergDestination d) {
    return d.tableRows("orders").stream()
        .map(r -> Long.parseLong(r.substring("order_id=".length(), r.indexOf('|'))))
        .sorted(Comparator.naturalOrder())
        .toList();
  }

  @ParameterizedTest
  @EnumSource(FaultPoint.class)
  void aCrashAtEveryFaultPointThenARetryHoldsEachMessageOnce(FaultPoint point) {
    Path warehouse = dir.resolve("warehouse-" + ++warehouses);
    Pipeline p = pipeline();
    String victim = WindowSpec.offsetsId(topic, 1, MAX_RECORDS);
    IcebergSettings settings = IcebergSettings.local(warehouse, "idem");
    try (IcebergDestination d = new IcebergDestination(settings, services("a"))) {
      assertThatThrownBy(() -> drain(d, p, services("a").withFaults(new CrashAt(point, victim))))
          .isInstanceOf(SimulatedCrash.class);
    }
    // another process, once the crashed runner's lease expired (a catalog has no sessions)
    clock.advance(Duration.ofMinutes(6));
    try (IcebergDestination again = new IcebergDestination(settings, services("b"))) {
      RunReport retry = drain(again, p, services("b"));
      assertThat(retry.ok()).as(retry.toString()).isTrue();
      List<Long> expected = new ArrayList<>();
      for (long id = 1; id <= ORDERS_PRODUCED; id++) {
        expected.add(id);
      }
      assertThat(orderIds(again)).isEqualTo(expected);
      // every done window records where its input ended, committed with its rows
      assertThat(again.ledger().states("orders"))
          .filteredOn(s -> s.status() == WindowStatus.DONE)
          .isNotEmpty()
          .extracting(WindowState::sourcePosition)
          .doesNotContainNull();
      // and the done windows read each message exactly once between them: no offset range was
      // loaded twice (append's key dedup alone would hide that) or skipped
      assertThat(
              again.ledger().states("orders").stream()
                  .filter(s -> s.status() == WindowStatus.DONE)
                  .mapToLong(s -> s.counts().read())
                  .sum())
          .isEqualTo(ORDERS_PRODUCED);
      RunReport caughtUp = drain(again, p, services("c"));
      assertThat(caughtUp.ok()).isTrue();
      assertThat(orderIds(again)).hasSize(ORDERS_PRODUCED);
    }
  }
}
