package dev.idem.kafka;

import dev.idem.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a Kafka destination writes and how.
 *
 * @param client Kafka client properties ({@code bootstrap.servers}, security settings); idem sets
 *     the serializers, {@code transactional.id}, idempotence, {@code acks=all} and {@code
 *     isolation.level=read_committed} itself
 * @param ledgerTopic the compacted topic of window-completion markers (the ledger); dead letters go
 *     to {@code <ledgerTopic>_dead_letters}. Both are created when absent.
 * @param partitions partitions of an output topic idem creates; -1 for the broker's default
 * @param replicationFactor replication of the topics idem creates; -1 for the broker's default
 * @param idPrefix a pipeline's producer has {@code transactional.id} {@code <idPrefix>.<pipeline>},
 *     and a Kafka source's offsets are committed for the group of the same name
 * @param transactionTimeout the producer's {@code transaction.timeout.ms}: a window must be
 *     produced within it, and a runner that died holding a transaction blocks readers of the topic
 *     (read committed) at most this long
 * @param timeout how long a call to the cluster may block (metadata, reads of the ledger)
 */
public record KafkaDestinationConfig(
    Map<String, Object> client,
    String ledgerTopic,
    int partitions,
    int replicationFactor,
    String idPrefix,
    Duration transactionTimeout,
    Duration timeout) {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  public KafkaDestinationConfig {
    client = Map.copyOf(client);
    Objects.requireNonNull(transactionTimeout, "transactionTimeout");
    Objects.requireNonNull(timeout, "timeout");
    if (!client.containsKey("bootstrap.servers")) {
      throw new ConfigException("a kafka destination needs bootstrap_servers");
    }
    if (ledgerTopic == null || !TOPIC.matcher(ledgerTopic).matches()) {
      throw new ConfigException(
          "ledger_topic '"
              + ledgerTopic
              + "' is not a valid topic name: expected letters, digits, '.', '_', '-' (at most 200)");
    }
    if (partitions == 0 || partitions < -1) {
      throw new ConfigException(
          "partitions must be at least 1 (or -1 for the broker's default), got " + partitions);
    }
    if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
      throw new ConfigException(
          "replication_factor must be at least 1 (or -1 for the broker's default), got "
              + replicationFactor);
    }
    if (idPrefix == null || idPrefix.isBlank()) {
      throw new ConfigException("id_prefix must not be empty");
    }
    if (transactionTimeout.toMillis() < 1_000
        || transactionTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigException(
          "transaction_timeout must be at least 1 s, got " + transactionTimeout);
    }
    if (timeout.toMillis() < 1_000 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigException("timeout must be at least 1 s, got " + timeout);
    }
  }

  /**
   * Defaults: ledger topic {@code _idem}, broker-default partitions and replication, prefix {@code
   * idem}, 60 s timeouts.
   */
  public static KafkaDestinationConfig of(String bootstrapServers) {
    return new KafkaDestinationConfig(
        Map.of("bootstrap.servers", bootstrapServers),
        "_idem",
        -1,
        -1,
        "idem",
        Duration.ofSeconds(60),
        Duration.ofSeconds(60));
  }

  public KafkaDestinationConfig withLedgerTopic(String topic) {
    return new KafkaDestinationConfig(
        client, topic, partitions, replicationFactor, idPrefix, transactionTimeout, timeout);
  }

  public KafkaDestinationConfig withPartitions(int n) {
    return new KafkaDestinationConfig(
        client, ledgerTopic, n, replicationFactor, idPrefix, transactionTimeout, timeout);
  }

  public KafkaDestinationConfig withReplicationFactor(int n) {
    return new KafkaDestinationConfig(
        client, ledgerTopic, partitions, n, idPrefix, transactionTimeout, timeout);
  }

  public KafkaDestinationConfig withIdPrefix(String prefix) {
    return new KafkaDestinationConfig(
        client, ledgerTopic, partitions, replicationFactor, prefix, transactionTimeout, timeout);
  }

  public KafkaDestinationConfig withTransactionTimeout(Duration d) {
    return new KafkaDestinationConfig(
        client, ledgerTopic, partitions, replicationFactor, idPrefix, d, timeout);
  }

  public KafkaDestinationConfig withTimeout(Duration d) {
    return new KafkaDestinationConfig(
        client, ledgerTopic, partitions, replicationFactor, idPrefix, transactionTimeout, d);
  }

  /** The compacted topic holding dead letters. */
  public String deadLetterTopic() {
    return ledgerTopic + "_dead_letters";
  }

  /**
   * The {@code transactional.id} of a pipeline's producer: stable, so a restarted runner fences its
   * predecessor.
   */
  public String transactionalId(String pipeline) {
    return idPrefix + "." + pipeline;
  }

  /** The consumer group a Kafka source's offsets are committed for, in the window's transaction. */
  public String group(String pipeline) {
    return idPrefix + "." + pipeline;
  }

  String bootstrapServers() {
    return String.valueOf(client.get("bootstrap.servers"));
  }
}
