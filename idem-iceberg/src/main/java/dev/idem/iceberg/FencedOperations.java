package dev.idem.iceberg;

import java.util.Objects;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;

/**
 * A table's operations that commit only on top of the ledger they were built from. Iceberg's
 * optimistic commit swaps metadata only if the table did not move, but a transaction that lost the
 * race is re-applied on the new metadata: its appends added again, its property sets set again. For
 * idem's ledger pointer that re-application is a lost update (two runners could both land a
 * window), so every commit is checked here against the pointer its ledger was read from; when it
 * moved, {@link LedgerMovedException} (not a {@code CommitFailedException}, which Iceberg would
 * retry) ends the transaction, and {@link LedgerStore} reads the new ledger and decides again.
 */
final class FencedOperations extends ForwardingOperations {
  private final String expectedPointer;

  FencedOperations(TableOperations ops, String expectedPointer) {
    super(ops);
    this.expectedPointer = expectedPointer;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    String pointer = base == null ? null : base.property(LedgerStore.POINTER, null);
    if (!Objects.equals(pointer, expectedPointer)) {
      throw new LedgerMovedException(expectedPointer, pointer);
    }
    super.commit(base, metadata);
  }

  /** The table's ledger changed after this transaction read it. */
  static final class LedgerMovedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LedgerMovedException(String expected, String found) {
      super("the ledger moved from " + expected + " to " + found + " during the commit");
    }
  }
}
