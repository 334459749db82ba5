package dev.idem.notify;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
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

  /** What a delivery did: entries delivered now, hooks that refused one, entries left for later. */
  record Delivery(int delivered, int refused, int pending) {}
}
