package dev.idem.iceberg;

import dev.idem.destination.Finding;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * {@code idem doctor} on an Iceberg table: windows whose runner died (stale_lease, fixed by marking
 * the window failed under the lease that was read) and data files a killed run wrote but never
 * committed (orphan_data_file: under the table's {@code data/} directory, referenced by no
 * snapshot, older than {@link #SAFETY_AGE}; fixed by deleting the file if it is still
 * unreferenced). Iceberg's own orphan-file removal needs Spark; this is idem's, for its own writes,
 * and never looks outside the table's data directory (the ledger is not there).
 */
final class IcebergDoctor {
  /** A data file younger than this may belong to a commit being prepared: never an orphan. */
  static final Duration SAFETY_AGE = Duration.ofHours(24);

  private final LedgerStore store;
  private final IcebergLedger ledger;
  private final Clock clock;

  IcebergDoctor(LedgerStore store, IcebergLedger ledger, Clock clock) {
    this.store = store;
    this.ledger = ledger;
    this.clock = clock;
  }

  List<Finding> diagnose(String pipeline) {
    List<Finding> out = new ArrayList<>();
    Instant now = clock.instant();
    for (WindowState s : ledger.states(pipeline)) {
      if (s.stale(now)) {
        out.add(staleLease(s));
      } else if (s.status() == WindowStatus.FAILED) {
        out.add(
            Finding.report(
                "failed_window",
                s.windowId(),
                "window " + s.windowId() + " failed: " + s.error() + "; run it again to load it"));
      }
    }
    for (FileInfo f : orphans(now)) {
      out.add(
          Finding.fixable(
              "orphan_data_file",
              f.location(),
              "data file "
                  + f.location()
                  + " ("
                  + f.size()
                  + " bytes) is in no snapshot: written by a run that never committed it",
              () -> {
                if (referenced().contains(f.location())) {
                  return "left " + f.location() + " alone: a commit references it now";
                }
                store.io().deleteFile(f.location());
                return "deleted " + f.location();
              }));
    }
    return out;
  }

  private Finding staleLease(WindowState s) {
    Lease lease =
        new Lease(s.pipeline(), s.windowId(), s.owner(), s.token(), s.leaseExpires(), null);
    return Finding.fixable(
        "stale_lease",
        s.windowId(),
        "window "
            + s.windowId()
            + " is running, but its runner "
            + s.owner()
            + " let its lease expire at "
            + s.leaseExpires()
            + "; the next run takes it over, or --fix marks it failed",
        () -> {
          try {
            ledger.fail(
                lease,
                "its runner " + s.owner() + " stopped without finishing; released by idem doctor",
                s.counts(),
                List.of());
            return "marked window " + s.windowId() + " failed";
          } catch (dev.idem.destination.FencedException e) {
            return "left window " + s.windowId() + " alone: another runner claimed it meanwhile";
          }
        });
  }

  /** Files of the table's data directory no snapshot references, older than the safety age. */
  private List<FileInfo> orphans(Instant now) {
    if (!(store.io() instanceof SupportsPrefixOperations prefix)) {
      return List.of();
    }
    Table table = store.table();
    table.refresh();
    Set<String> referenced = referenced();
    List<FileInfo> out = new ArrayList<>();
    String data = table.location() + "/data/";
    if (!exists(data)) {
      return out; // nothing written yet
    }
    for (FileInfo f : prefix.listPrefix(data)) {
      if (!referenced.contains(f.location())
          && f.location().endsWith(".parquet")
          && Instant.ofEpochMilli(f.createdAtMillis()).plus(SAFETY_AGE).isBefore(now)) {
        out.add(f);
      }
    }
    out.sort((a, b) -> a.location().compareTo(b.location()));
    return out;
  }

  private boolean exists(String location) {
    try {
      return store.io().newInputFile(location).exists();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The data files of every snapshot the table keeps. */
  private Set<String> referenced() {
    Table table = store.table();
    table.refresh();
    Set<String> out = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      for (ManifestFile m : s.allManifests(table.io())) {
        try (CloseableIterable<? extends ContentFile<?>> files =
            m.content() == org.apache.iceberg.ManifestContent.DATA
                ? ManifestFiles.read(m, table.io())
                : ManifestFiles.readDeleteManifest(m, table.io(), table.specs())) {
          files.forEach(f -> out.add(f.location()));
        } catch (IOException e) {
          throw new UncheckedIOException("reading manifest " + m.path(), e);
        }
      }
    }
    return out;
  }
}
