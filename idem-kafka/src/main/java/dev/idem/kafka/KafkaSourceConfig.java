package dev.idem.kafka;

import dev.idem.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a Kafka source reads.
 *
 * @param client Kafka client properties ({@code bootstrap.servers}, security settings); idem sets
 *     the deserializers, {@code isolation.level=read_committed} and turns auto commit off
 * @param topic the topic; every partition is read, including partitions added later
 * @param maxRecords the most offsets one window spans (the commit size)
 * @param startFrom where a partition with no window in the ledger starts
 * @param readTimeout how long a read may wait for records the partition is known to hold before the
 *     attempt fails as transient (broker down)
 * @param nullValue what a record with a null value (a tombstone) is
 */
public record KafkaSourceConfig(
    Map<String, Object> client,
    String topic,
    long maxRecords,
    StartFrom startFrom,
    Duration readTimeout,
    NullValue nullValue) {
  /** Where a partition starts when the ledger has no window of it yet. */
  public enum StartFrom {
    EARLIEST,
    LATEST
  }

  /** What a record with a null value is: a dead letter (the default) or a delete of its key. */
  public enum NullValue {
    DEAD_LETTER,
    DELETE
  }

  public KafkaSourceConfig {
    client = Map.copyOf(client);
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(startFrom, "startFrom");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(nullValue, "nullValue");
    if (!client.containsKey("bootstrap.servers")) {
      throw new ConfigException("a kafka source needs bootstrap_servers");
    }
    if (topic.isBlank()) {
      throw new ConfigException("a kafka source needs a topic");
    }
    if (maxRecords < 1) {
      throw new ConfigException("max_records must be at least 1, got " + maxRecords);
    }
  }

  public static KafkaSourceConfig of(String bootstrapServers, String topic) {
    return new KafkaSourceConfig(
        Map.of("bootstrap.servers", bootstrapServers),
        topic,
        100_000,
        StartFrom.EARLIEST,
        Duration.ofSeconds(60),
        NullValue.DEAD_LETTER);
  }

  public KafkaSourceConfig withMaxRecords(long n) {
    return new KafkaSourceConfig(client, topic, n, startFrom, readTimeout, nullValue);
  }

  public KafkaSourceConfig withStartFrom(StartFrom s) {
    return new KafkaSourceConfig(client, topic, maxRecords, s, readTimeout, nullValue);
  }

  public KafkaSourceConfig withReadTimeout(Duration d) {
    return new KafkaSourceConfig(client, topic, maxRecords, startFrom, d, nullValue);
  }

  public KafkaSourceConfig withNullValue(NullValue v) {
    return new KafkaSourceConfig(client, topic, maxRecords, startFrom, readTimeout, v);
  }
}
