package dev.idem.destination;

import dev.idem.pipeline.Pipeline;
import java.util.List;

/**
 * A destination that finds what killed or stalled runners left behind for a pipeline ({@code idem
 * doctor}): leases whose runner died, failed windows, sessions or transactions left open, scratch
 * objects no process owns, an outdated ledger. Each destination knows its own leftovers: a JDBC
 * database its ledger, sessions and scratch databases; a transactional stream its lingering
 * transactions.
 */
public interface SupportsDoctor {
  /**
   * Looks for leftovers of {@code pipeline} and of idem on this destination, in a stable order.
   * Changes nothing: never creates the ledger or the target, never migrates. A live runner's state
   * (a lease not yet expired, a transaction idle for less than the lease time) is not a finding.
   */
  List<Finding> diagnose(Pipeline pipeline);
}
