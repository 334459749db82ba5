package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.ledger.DeadLetter;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code null_value: delete} against a real broker: a record with a null value deletes its key, the
 * latest record of a key (by {@code order_by: _kafka_offset}) wins within and across windows, and
 * re-runs, forced runs and windows run out of order converge to a clean run.
 */
abstract class KafkaDeletesSuite {
  static final Schema PEOPLE =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("_kafka_offset", DataType.INTEGER));
  static final KafkaBroker BROKER = KafkaBroker.shared();

  /** A new, empty destination. */
  abstract JdbcDestination newDestination(RunServices services);

  static Pipeline pipeline(String topic, long maxRecords) {
    KafkaSourceConfig config =
        KafkaSourceConfig.of(BROKER.bootstrapServers(), topic)
            .withMaxRecords(maxRecords)
            .withNullValue(KafkaSourceConfig.NullValue.DELETE);
    return Pipeline.builder("people")
        .version("1")
        .source(new KafkaSource(PEOPLE, config))
        .windows(WindowSpec.offsets())
        .table("people")
        .key("id")
        .strategy(WriteStrategy.MERGE)
        .orderBy("_kafka_offset")
        .badRecords(new BadRecordPolicy(5, null))
        .build();
  }

  /** A one-partition topic holding these records in order, at offsets 0, 1, 2, ... */
  static String topic(String... keysAndValues) {
    String topic = KafkaBroker.uniqueName("people");
    BROKER.createTopic(topic, 1);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      records.add(new ProducerRecord<>(topic, 0, keysAndValues[i], keysAndValues[i + 1]));
    }
    BROKER.produceRecords(records);
    return topic;
  }

  static String person(long id, String name) {
    return "{\"id\": " + id + ", \"name\": \"" + name + "\"}";
  }

  static RunReport drain(JdbcDestination d, Pipeline p) {
    return new Runner(d, KafkaToJdbcSuite.services("a"))
        .runStream(p, RunOptions.defaults("r"), dev.idem.run.StreamOptions.untilCaughtUp());
  }

  static RunReport run(JdbcDestination d, Pipeline p, String window, RunOptions options) {
    return new Runner(d, KafkaToJdbcSuite.services("a"))
        .run(p, List.of(p.windows().window(window)), options);
  }

  /** The table as {@code id:name} lines, by id. */
  static List<String> people(JdbcDestination d) {
    return TableSnapshot.rows(
            d, "(SELECT CAST(id AS VARCHAR) || ':' || name AS p FROM people ORDER BY id)")
        .stream()
        .map(r -> r.substring(r.indexOf('=') + 1))
        .sorted()
        .toList();
  }

  @Test
  void aNullValueDeletesItsKeyAndReRunsKeepItDeleted() {
    String topic =
        topic(
            "1",
            person(1, "a"),
            "{\"id\": 2}",
            person(2, "b"),
            "1",
            null, // a plain key: the one key column
            "{\"id\": 3}",
            null); // an absent key: remembered, nothing to remove
    Pipeline p = pipeline(topic, 100);
    try (JdbcDestination d = newDestination(KafkaToJdbcSuite.services("a"))) {
      RunReport r = drain(d, p);
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(people(d)).containsExactly("2:b");
      // the delete marker is an input column only: the target has no helper column
      assertThat(TableSnapshot.rows(d, "people")).noneMatch(row -> row.contains("_kafka_deleted"));

      assertThat(drain(d, p).count(WindowOutcome.Result.LOADED)).isZero();
      RunReport forced =
          run(d, p, WindowSpec.offsetsId(topic, 0, 0), RunOptions.defaults("f").forced());
      assertThat(forced.count(WindowOutcome.Result.LOADED)).isEqualTo(1);
      assertThat(people(d)).containsExactly("2:b");
    }
  }

  /**
   * Windows of two offsets: @0 [1:v1, 9:old], @2 [1 deleted, 9 deleted], @4 [1:v2, 5 deleted]...
   */
  private static String versions() {
    return topic(
        "1",
        person(1, "v1"),
        "9",
        person(9, "old"),
        "1",
        null,
        "9",
        null,
        "1",
        person(1, "v2"),
        "5",
        null,
        "7",
        null, // within one window: an upsert at a higher offset beats the delete
        "7",
        person(7, "new"),
        "8",
        person(8, "gone"), // ... and a delete at a higher offset beats the upsert
        "8",
        null);
  }

  @Test
  void theLatestRecordOfAKeyWinsWithinAndAcrossWindows() {
    String topic = versions();
    Pipeline p = pipeline(topic, 2);
    try (JdbcDestination d = newDestination(KafkaToJdbcSuite.services("a"))) {
      RunReport r = drain(d, p);
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(r.count(WindowOutcome.Result.LOADED)).isEqualTo(5);
      assertThat(people(d)).containsExactly("1:v2", "7:new");

      // forcing older windows again brings back neither the deleted key nor the older version
      for (long start : new long[] {0, 2}) {
        RunReport forced =
            run(d, p, WindowSpec.offsetsId(topic, 0, start), RunOptions.defaults("f").forced());
        assertThat(forced.count(WindowOutcome.Result.LOADED)).isEqualTo(1);
        assertThat(people(d)).as("after forcing @%s", start).containsExactly("1:v2", "7:new");
      }
    }
  }

  @Test
  void aDeleteLoadedBeforeAnOlderUpsertKeepsTheKeyAbsentAndEqualsACleanRun() {
    String topic = versions();
    Pipeline p = pipeline(topic, 2);
    try (JdbcDestination d = newDestination(KafkaToJdbcSuite.services("a"))) {
      // the deletes of keys 1 and 9 (absent then) first, then the window of their older upserts
      assertThat(run(d, p, WindowSpec.offsetsId(topic, 0, 2), RunOptions.defaults("r1")).ok())
          .isTrue();
      assertThat(people(d)).isEmpty();
      assertThat(run(d, p, WindowSpec.offsetsId(topic, 0, 0), RunOptions.defaults("r2")).ok())
          .isTrue();
      assertThat(people(d)).isEmpty();
      // the chain continues after @2: the upsert at offset 4, newer than the delete, brings 1 back
      RunReport rest = drain(d, p);
      assertThat(rest.ok()).as(rest.toString()).isTrue();
      assertThat(people(d)).containsExactly("1:v2", "7:new");
    }
  }

  @Test
  void aNullValueWithoutItsKeyIsADeadLetterNamingItsPosition() {
    String topic =
        topic(
            "1",
            person(1, "a"),
            null,
            null,
            "{\"other\": 1}",
            null,
            "abc",
            null,
            "2",
            person(2, "b"));
    Pipeline p = pipeline(topic, 100);
    try (JdbcDestination d = newDestination(KafkaToJdbcSuite.services("a"))) {
      RunReport r = drain(d, p);
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(people(d)).containsExactly("1:a", "2:b");
      List<DeadLetter> letters = d.ledger().deadLetters("people", Optional.empty(), true);
      assertThat(letters)
          .extracting(DeadLetter::position, DeadLetter::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  topic + "-0@1",
                  topic + "-0@1: a null value deletes its key, and the record has none"),
              org.assertj.core.groups.Tuple.tuple(
                  topic + "-0@2",
                  topic
                      + "-0@2: a null value deletes its key, and key {\"other\": 1} has no field 'id'"),
              org.assertj.core.groups.Tuple.tuple(
                  topic + "-0@3",
                  topic
                      + "-0@3: a null value deletes its key, and its key's column id: 'abc' is not an integer"));
    }
  }
}
