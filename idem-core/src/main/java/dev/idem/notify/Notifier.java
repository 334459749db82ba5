package dev.idem.notify;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsHeldRequests.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A pipeline's {@code notify:} hooks, checked: which events they want, and their delivery of a
 * destination's undelivered outbox entries through a ledger of sent requests, so that each entry
 * reaches each hook once, retried across runs until it is acknowledged or refused.
 */
public interface Notifier {
  /** The events some hook asks for. */
  Set<OutboxEntry.Event> events();

  /**
   * Delivers the pipeline's undelivered entries of {@code destination} (which {@link
   * SupportsOutbox}); never throws for an API's failure: what is left is counted as pending.
   */
  Delivery deliver(Destination destination, String pipeline, RunServices services);

  /**
   * The pipeline's notifications held as of unknown outcome (sent, never answered, and past the
   * key's lifetime, so never sent again until a person decides), one line each, as {@code window W:
   * METHOD URL key K (unknown)}, URLs masked.
   */
  default List<String> held(Destination destination, String pipeline) {
    return List.of();
  }

  /**
   * Records a person's decision about a held notification ({@code idem resolve}), as {@link
   * dev.idem.destination.SupportsHeldRequests#resolve} does for a request, and returns one line.
   */
  default String resolve(
      Destination destination, String pipeline, String key, Decision decision, Instant now) {
    throw new ConfigException(
        "--request: the notify: hooks of pipeline " + pipeline + " hold none");
  }

  /**
   * What a delivery did: entries delivered now, hooks that refused one, entries left for later, and
   * of those the ones held as of unknown outcome (never sent again until {@code idem resolve}).
   */
  record Delivery(int delivered, int refused, int pending, int held) {}
}
