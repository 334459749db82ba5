package dev.idem.cli;

import dev.idem.cli.pipelinefile.DestinationSpec;
import dev.idem.destination.Destination;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.kafka.KafkaDestination;
import dev.idem.context.RunServices;
import java.time.Duration;

/** Opens the destination a pipeline file names. Tests may pass their own. */
@FunctionalInterface
interface DestinationOpener {
  /** A JDBC database, or a Kafka cluster for {@code type: kafka}. */
  DestinationOpener STANDARD = (spec, services, lockTimeout) -> spec.kafka().isPresent()
      ? KafkaDestination.open(spec.kafka().get(), services)
      : JdbcDestination.open(spec.url(), spec.properties(), services, lockTimeout);

  Destination open(DestinationSpec spec, RunServices services, Duration lockTimeout);

  /** A new, empty scratch destination of the spec's kind, removed when closed ({@code idem verify}). */
  default Destination scratch(DestinationSpec spec, RunServices services) {
    return JdbcDestination.scratch(spec.url(), spec.properties(), services);
  }
}
