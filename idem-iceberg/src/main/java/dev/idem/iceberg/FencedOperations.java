package dev.idem.iceberg;

import java.util.Objects;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * A table's operations that commit only on top of the ledger they were built from. Iceberg's
 * optimistic commit swaps metadata only if the table did not move, but a transaction that lost the
 * race is re-applied on the new metadata: its appends added again, its property sets set again. For
 * idem's ledger pointer that re-application is a lost update (two runners could both land a
 * window), so every commit is checked here against the pointer its ledger was read from; when it
 * moved, {@link LedgerMovedException} (not a {@code CommitFailedException}, which Iceberg would
 * retry) ends the transaction, and {@link LedgerStore} reads the new ledger and decides again.
 */
final class FencedOperations implements TableOperations {
  private final TableOperations ops;
  private final String expectedPointer;

  FencedOperations(TableOperations ops, String expectedPointer) {
    this.ops = ops;
    this.expectedPointer = expectedPointer;
  }

  @Override
  public TableMetadata current() {
    return ops.current();
  }

  @Override
  public TableMetadata refresh() {
    return ops.refresh();
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    String pointer = base == null ? null : base.property(LedgerStore.POINTER, null);
    if (!Objects.equals(pointer, expectedPointer)) {
      throw new LedgerMovedException(expectedPointer, pointer);
    }
    ops.commit(base, metadata);
  }

  @Override
  public FileIO io() {
    return ops.io();
  }

  @Override
  public EncryptionManager encryption() {
    return ops.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return ops.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return ops.locationProvider();
  }

  @Override
  public long newSnapshotId() {
    return ops.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return ops.requireStrictCleanup();
  }

  /** The table's ledger changed after this transaction read it. */
  static final class LedgerMovedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LedgerMovedException(String expected, String found) {
      super("the ledger moved from " + expected + " to " + found + " during the commit");
    }
  }
}
