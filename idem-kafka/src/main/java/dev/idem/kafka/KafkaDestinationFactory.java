package dev.idem.kafka;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Section;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code type: kafka}: the target table is the output topic. Keys other than the destination's own
 * are Kafka client properties.
 */
public final class KafkaDestinationFactory implements DestinationFactory {
  /** The keys of a kafka destination itself; any other key of it is a Kafka client property. */
  static final List<String> KEYS =
      List.of(
          "type",
          "bootstrap_servers",
          "ledger_topic",
          "partitions",
          "replication_factor",
          "id_prefix",
          "transaction_timeout",
          "timeout");

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String type() {
    return "kafka";
  }

  @Override
  public Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type()),
            "bootstrap_servers",
            ConfigSchema.string("host:port[,host:port...]"),
            "ledger_topic",
            ConfigSchema.string("the topic holding the ledger"),
            "partitions",
            ConfigSchema.integer("partitions of the topics idem creates", 1),
            "replication_factor",
            ConfigSchema.integer("replication factor of the topics idem creates", 1),
            "id_prefix",
            ConfigSchema.string("prefix of the transactional ids"),
            "transaction_timeout",
            ConfigSchema.duration("the producer's transaction timeout"),
            "timeout",
            ConfigSchema.duration("how long a call to the brokers may take")),
        List.of("type", "bootstrap_servers"),
        ConfigSchema.scalar("a Kafka client property (acks, security.protocol, ...)"));
  }

  @Override
  public boolean accepts(ConfigNode.Mapping section) {
    return true;
  }

  @Override
  public DestinationBinding bind(ConfigNode.Mapping node, ConnectorContext context) {
    Section s = Section.of("destination", node);
    ConfigNode.Entry url = node.entry("url");
    if (url != null) {
      throw new ConfigProblem(
          url.where(), "destination.url: a kafka destination has bootstrap_servers, not url");
    }
    Map<String, Object> client = new HashMap<>();
    s.properties(KEYS, context.secrets()).forEach((k, v) -> client.put((String) k, v));
    client.put("bootstrap.servers", s.requiredScalar("bootstrap_servers").value().strip());
    KafkaDestinationConfig d = KafkaDestinationConfig.of("defaults");
    ConfigNode.Scalar ledger = s.optionalScalar("ledger_topic");
    ConfigNode.Scalar prefix = s.optionalScalar("id_prefix");
    String ledgerTopic = ledger == null ? d.ledgerTopic() : ledger.value().strip();
    int partitions = s.positiveInt("partitions", d.partitions());
    int replication = s.positiveInt("replication_factor", d.replicationFactor());
    String idPrefix = prefix == null ? d.idPrefix() : prefix.value().strip();
    Duration txTimeout = s.duration("transaction_timeout", d.transactionTimeout());
    Duration timeout = s.duration("timeout", d.timeout());
    return Section.bind(
        node,
        "destination",
        () ->
            new KafkaDestinationBinding(
                new KafkaDestinationConfig(
                    client, ledgerTopic, partitions, replication, idPrefix, txTimeout, timeout)));
  }
}
