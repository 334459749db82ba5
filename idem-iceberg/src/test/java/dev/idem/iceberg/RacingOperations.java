package dev.idem.iceberg;

import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;

/**
 * A table's operations that run {@code race} once, just before the first commit: after the
 * transaction's last refresh, so the commit is built on metadata another change has just moved.
 */
final class RacingOperations extends ForwardingOperations {
  private Runnable race;

  RacingOperations(TableOperations ops, Runnable race) {
    super(ops);
    this.race = race;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    Runnable r = race;
    race = null;
    if (r != null) {
      r.run();
    }
    super.commit(base, metadata);
  }
}
