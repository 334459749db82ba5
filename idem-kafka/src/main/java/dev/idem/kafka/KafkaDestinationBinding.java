package dev.idem.kafka;

import dev.idem.ConfigException;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.time.Duration;
import java.util.Optional;

/**
 * A Kafka cluster a pipeline writes ({@code type: kafka}), described as {@code kafka://} and its
 * bootstrap servers. It has no scratch twin: a topic cannot take records back between the checks of
 * {@code idem verify}.
 */
public final class KafkaDestinationBinding implements DestinationBinding {
  private static final String NO_SCRATCH =
      "a Kafka topic cannot take records back between its checks";

  private final KafkaDestinationConfig config;

  public KafkaDestinationBinding(KafkaDestinationConfig config) {
    this.config = config;
  }

  public KafkaDestinationConfig config() {
    return config;
  }

  @Override
  public Destination open(RunServices services, Duration lockTimeout) {
    return KafkaDestination.open(config, services);
  }

  @Override
  public String describe() {
    return Secrets.describeUrl("kafka://" + config.client().get("bootstrap.servers"));
  }

  @Override
  public Optional<String> noScratch() {
    return Optional.of(NO_SCRATCH);
  }

  @Override
  public Destination scratch(RunServices services) {
    throw new ConfigException("idem verify needs a database destination: " + NO_SCRATCH);
  }

  @Override
  public String toString() {
    return describe();
  }
}
