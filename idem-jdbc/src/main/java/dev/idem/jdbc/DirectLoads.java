package dev.idem.jdbc;

import dev.idem.jdbc.dialect.DirectLoad;
import dev.idem.jdbc.write.Applied;
import dev.idem.ledger.Lease;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.DriftPolicy;
import dev.idem.window.Window;
import java.util.List;
import java.util.Optional;

/**
 * When a window may be loaded straight into its target ({@link DirectLoad}), and what that load
 * applied. Only a merge without deletes, transform, schema evolution or CHECK constraints, whose
 * staged columns are the stored ones: its rows then go into the target as they were read, so
 * writing all its keys when none exists yet is exactly what the staged merge would write (every key
 * new: inserted, with the window's lineage). Anything else takes the staged path, and so does a
 * window the ledger has seen finish before: a re-run (forced, or of changed input), whose keys may
 * be in the target under a later window's lineage (a later version took them), where a COPY would
 * only fail on the first of them and leave the rows it had inserted as dead tuples.
 */
final class DirectLoads {
  private DirectLoads() {}

  static Optional<DirectLoad.Plan> plan(
      Pipeline pipeline, TargetRules rules, TableName table, Lease lease) {
    Target target = pipeline.target();
    List<String> columns = target.storedColumns().names();
    String window = lease.windowId();
    if ((lease.previous() != null && lease.previous().finishedAt() != null)
        || target.strategy() != WriteStrategy.MERGE
        || target.key() == null
        || target.hasDeletes()
        || pipeline.transformSql() != null
        || pipeline.schemaDrift() == DriftPolicy.EVOLVE
        || rules.stagesPositions()
        || !pipeline.stagedColumns().names().equals(columns)) {
      return Optional.empty();
    }
    return Optional.of(
        new DirectLoad.Plan(
            table,
            columns,
            target.key().targetColumns(),
            target.orderBy(),
            window,
            target.versioned() ? Window.orderKey(pipeline.windows().kind(), window) : null));
  }

  /** Every key new: each row after dedup inserted, no other window touched. */
  static Applied applied(long inserted) {
    return new Applied(inserted, inserted, 0, 0, 0, 0, 0, List.of(), false);
  }
}
