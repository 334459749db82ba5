package dev.idem.cli;

import dev.idem.connector.DestinationBinding;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.time.Duration;

/** Opens the destination a pipeline file names. Tests may pass their own. */
@FunctionalInterface
interface DestinationOpener {
  /** Whatever the destination's connector opens. */
  DestinationOpener STANDARD =
      (binding, services, lockTimeout) -> binding.open(services, lockTimeout);

  Destination open(DestinationBinding binding, RunServices services, Duration lockTimeout);

  /**
   * A new, empty scratch destination of the binding's kind, removed when closed ({@code idem
   * verify}).
   */
  default Destination scratch(DestinationBinding binding, RunServices services) {
    return binding.scratch(services);
  }
}
