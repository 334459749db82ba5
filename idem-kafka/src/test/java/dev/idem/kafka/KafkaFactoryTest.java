package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.idem.ConfigException;
import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Connectors;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.window.WindowKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kafka source and destination factories, without a broker: what they bind and what they
 * refuse.
 */
class KafkaFactoryTest {
  private static final Schema COLUMNS = new Schema(List.of(Column.of("id", DataType.INTEGER)));
  private final Secrets secrets = new Secrets();
  private final ConnectorContext context =
      new ConnectorContext(Path.of("/tmp"), "stream", name -> null, secrets);

  private static ConfigNode.Mapping section(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return ConfigNode.Mapping.of("p.yaml", m);
  }

  @Test
  void bothAreDiscoveredAndTheSourceIsAStream() {
    Connectors connectors = Connectors.discover(getClass().getClassLoader());
    assertThat(connectors.source("kafka")).get().isInstanceOf(KafkaSourceFactory.class);
    assertThat(connectors.source("kafka").orElseThrow().stream()).isTrue();
    assertThat(connectors.source("kafka").orElseThrow().defaultWindows().kind())
        .isEqualTo(WindowKind.OFFSETS);
    assertThat(connectors.destinations("kafka"))
        .singleElement()
        .isInstanceOf(KafkaDestinationFactory.class);
    assertThat(connectors.destinations(null)).noneMatch(f -> f instanceof KafkaDestinationFactory);
  }

  @Test
  void aSourceSectionBindsItsConfigAndPassesOtherKeysToTheClient() {
    KafkaSource s =
        (KafkaSource)
            new KafkaSourceFactory()
                .bind(
                    section(
                        "type",
                        "kafka",
                        "bootstrap_servers",
                        " b1:9092 ",
                        "topic",
                        "orders",
                        "max_records",
                        500,
                        "start_from",
                        "LATEST",
                        "read_timeout",
                        "5s",
                        "sasl.password",
                        "client-secret-1"),
                    COLUMNS,
                    context);
    KafkaSourceConfig c = s.config();
    assertThat(c.topic()).isEqualTo("orders");
    assertThat(c.maxRecords()).isEqualTo(500);
    assertThat(c.startFrom()).isEqualTo(KafkaSourceConfig.StartFrom.LATEST);
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.client())
        .containsEntry("bootstrap.servers", "b1:9092")
        .containsEntry("sasl.password", "client-secret-1");
    assertThat(secrets.redact("x client-secret-1")).isEqualTo("x ***");
  }

  @Test
  void aSourceSectionRefusesFileKeysAndBadValues() {
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new KafkaSourceFactory()
                            .bind(
                                section(
                                    "type",
                                    "kafka",
                                    "bootstrap_servers",
                                    "b:1",
                                    "topic",
                                    "t",
                                    "path",
                                    "x.csv"),
                                COLUMNS,
                                context))
                .detail())
        .isEqualTo(
            "source.path: kafka sources have no 'path': expected type, bootstrap_servers, topic, max_records, start_from, read_timeout, null_value"
                + " and Kafka client properties");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new KafkaSourceFactory()
                            .bind(
                                section(
                                    "type",
                                    "kafka",
                                    "bootstrap_servers",
                                    "b:1",
                                    "topic",
                                    "t",
                                    "start_from",
                                    "middle"),
                                COLUMNS,
                                context))
                .detail())
        .isEqualTo("source.start_from: expected earliest or latest, got 'middle'");
  }

  @Test
  void aDestinationSectionBindsWithoutConnectingAndHasNoScratchTwin() {
    DestinationBinding b =
        new KafkaDestinationFactory()
            .bind(
                section(
                    "type",
                    "kafka",
                    "bootstrap_servers",
                    "b1:9092",
                    "partitions",
                    3,
                    "transaction_timeout",
                    "1m"),
                context);
    KafkaDestinationConfig c = ((KafkaDestinationBinding) b).config();
    assertThat(c.partitions()).isEqualTo(3);
    assertThat(c.transactionTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(b.describe()).isEqualTo("kafka://b1:9092");
    assertThat(b.missing()).isEmpty();
    assertThat(b.noScratch()).contains("a Kafka topic cannot take records back between its checks");
    assertThat(
            catchThrowableOfType(ConfigException.class, () -> b.scratch(RunServices.defaults()))
                .getMessage())
        .isEqualTo(
            "idem verify needs a database destination: a Kafka topic cannot take records back between its checks");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new KafkaDestinationFactory()
                            .bind(section("type", "kafka", "url", "x"), context))
                .detail())
        .isEqualTo("destination.url: a kafka destination has bootstrap_servers, not url");
  }
}
