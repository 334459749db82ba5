package dev.idem.destination;

import dev.idem.context.RunContext;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.pipeline.Pipeline;

/**
 * Where windows land. A destination holds its own ledger and commits a window's rows with its
 * ledger row in one transaction. Strategies and transforms it cannot honour are declared by not
 * implementing the matching capability ({@link SupportsMerge}, ...), and such pipelines are refused
 * when the run is planned.
 */
public interface Destination extends AutoCloseable {
  /**
   * Creates or migrates the ledger; creates the target table or checks an existing one. Idempotent.
   */
  void prepare(Pipeline pipeline);

  /**
   * Refuses, with its reason, a pipeline this destination cannot honour (a strategy a Kafka topic
   * cannot apply, say), before any window is touched and without connecting. The runner calls it
   * before the generic capability checks, so a destination can say why. Default: no refusal.
   */
  default void check(Pipeline pipeline) {}

  Ledger ledger();

  /** Opens one window's write under a lease. */
  WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context);

  /** Rows the target holds now for a window (by its lineage column). */
  long rowsInTarget(Pipeline pipeline, String windowId);

  /** Drops the target table and the pipeline's ledger rows (a full refresh starts from nothing). */
  void dropTarget(Pipeline pipeline);

  /** Where this is, for messages: never a password. */
  String describe();

  @Override
  void close();
}
