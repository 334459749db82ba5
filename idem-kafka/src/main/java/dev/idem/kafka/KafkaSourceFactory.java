package dev.idem.kafka;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code type: kafka}: a topic read in offsets windows. Keys other than the source's own are Kafka
 * client properties (security.protocol, sasl.jaas.config, ...).
 */
public final class KafkaSourceFactory implements SourceFactory {
  /** The keys of a kafka source itself; any other key of it is a Kafka client property. */
  static final List<String> KEYS =
      List.of(
          "type",
          "bootstrap_servers",
          "topic",
          "max_records",
          "start_from",
          "read_timeout",
          "null_value");

  /** The keys of file sources, refused here with a message that names the kafka source's own. */
  private static final List<String> FILE_KEYS =
      List.of("path", "delimiter", "quote", "header", "null", "encoding");

  @Override
  public String type() {
    return "kafka";
  }

  @Override
  public boolean stream() {
    return true;
  }

  @Override
  public Map<String, Object> schema() {
    Map<String, Object> clientProperty =
        ConfigSchema.scalar("a Kafka client property (security.protocol, sasl.jaas.config, ...)");
    Map<String, Object> s =
        ConfigSchema.mapping(
            ConfigSchema.properties(
                "type",
                ConfigSchema.type(type()),
                "bootstrap_servers",
                ConfigSchema.string("host:port[,host:port...]"),
                "topic",
                ConfigSchema.string("the topic to read"),
                "max_records",
                ConfigSchema.integer("records per window at most (default 100000)", 1),
                "start_from",
                ConfigSchema.oneOf(
                    "where a partition with no window yet starts (default earliest)",
                    "earliest",
                    "latest"),
                "read_timeout",
                ConfigSchema.duration("how long a read waits for records (default 60s)"),
                "null_value",
                ConfigSchema.oneOf(
                    "what a record with a null value is (default dead_letter)",
                    "dead_letter",
                    "delete")),
            List.of("type", "bootstrap_servers", "topic"),
            null);
    // every Kafka client property has a dot; a key without one is a misspelt key of the source
    s.put("patternProperties", Map.of("\\.", clientProperty));
    return s;
  }

  @Override
  public Source bind(ConfigNode.Mapping node, Schema columns, ConnectorContext context) {
    Section s = Section.of("source", node);
    for (String fileKey : FILE_KEYS) {
      ConfigNode.Entry e = node.entry(fileKey);
      if (e != null) {
        throw new ConfigProblem(
            e.where(),
            "source."
                + fileKey
                + ": kafka sources have no '"
                + fileKey
                + "': expected "
                + String.join(", ", KEYS)
                + " and Kafka client properties");
      }
    }
    for (String key : node.entries().keySet()) {
      // every Kafka client property has a dot: a key without one is a misspelt key of the source
      if (!key.contains(".") && !KEYS.contains(key)) {
        throw s.problem(key, Section.unknownKey(key, "source", KEYS));
      }
    }
    Map<String, Object> client = new HashMap<>();
    s.properties(KEYS, context.secrets()).forEach((k, v) -> client.put((String) k, v));
    client.put("bootstrap.servers", s.requiredScalar("bootstrap_servers").value().strip());
    String topic = s.requiredScalar("topic").value().strip();
    long maxRecords = s.positiveInt("max_records", 100_000);
    ConfigNode.Scalar startNode = s.optionalScalar("start_from");
    KafkaSourceConfig.StartFrom start = KafkaSourceConfig.StartFrom.EARLIEST;
    if (startNode != null) {
      String v = startNode.value().strip().toLowerCase(Locale.ROOT);
      if (!v.equals("earliest") && !v.equals("latest")) {
        throw new ConfigProblem(
            startNode.where(),
            "source.start_from: expected earliest or latest, got '" + startNode.display() + "'");
      }
      start = KafkaSourceConfig.StartFrom.valueOf(v.toUpperCase(Locale.ROOT));
    }
    Duration readTimeout = s.duration("read_timeout", Duration.ofSeconds(60));
    KafkaSourceConfig.NullValue nullValue = nullValue(s, columns);
    KafkaSourceConfig.StartFrom from = start;
    return Section.bind(
        node,
        "source",
        () ->
            new KafkaSource(
                columns,
                new KafkaSourceConfig(client, topic, maxRecords, from, readTimeout, nullValue)));
  }

  /** {@code null_value: dead_letter} (the default) or {@code delete}. */
  private static KafkaSourceConfig.NullValue nullValue(Section s, Schema columns) {
    ConfigNode.Scalar n = s.optionalScalar("null_value");
    if (n == null) {
      return KafkaSourceConfig.NullValue.DEAD_LETTER;
    }
    String v = n.value().strip().toLowerCase(Locale.ROOT);
    if (!v.equals("dead_letter") && !v.equals("delete")) {
      throw new ConfigProblem(
          n.where(),
          "source.null_value: expected dead_letter or delete, got '" + n.display() + "'");
    }
    if (v.equals("delete")) {
      Section.bind(n, "source.null_value", () -> KafkaDeletes.withColumn(columns));
    }
    return KafkaSourceConfig.NullValue.valueOf(v.toUpperCase(Locale.ROOT));
  }
}
