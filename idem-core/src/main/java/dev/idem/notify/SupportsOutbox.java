package dev.idem.notify;

import java.util.List;
import java.util.Set;

/**
 * A destination capability: an outbox of notifications kept in the destination's own transactions.
 * Once {@link #keepOutbox} was called for a pipeline, each window commit records a {@link
 * OutboxEntry.Event#SUCCESS} entry in the window's own transaction (with its rows and its ledger
 * row), and, when asked, each recorded failure a {@link OutboxEntry.Event#FAILURE} entry in the
 * transaction that records it. An unchanged window commits nothing, so it records nothing.
 */
public interface SupportsOutbox {
  /** From now on, records entries of these events for the pipeline (creates the outbox if new). */
  void keepOutbox(String pipeline, Set<OutboxEntry.Event> events);

  /** The pipeline's entries not yet delivered, oldest first. */
  List<OutboxEntry> undelivered(String pipeline);

  /** Marks an entry delivered (its hooks acknowledged or refused it). Idempotent. */
  void delivered(OutboxEntry entry);
}
