package dev.idem.iceberg;

import dev.idem.check.CheckResult;
import dev.idem.ledger.WindowState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything idem records of one Iceberg table, as one JSON file (see {@link LedgerStore}): per
 * pipeline its windows, the dead-letter files of each window's attempts, and the tombstones of
 * deleted keys. A new file is written for every change and the table's {@link LedgerStore#POINTER}
 * property is swapped to it in the same Iceberg commit as the window's data files.
 */
final class LedgerState {
  /** The format of this file; a reader refuses a newer one. */
  public int format = 1;

  public Map<String, PipelineLedger> pipelines = new TreeMap<>();

  PipelineLedger pipeline(String name) {
    return pipelines.computeIfAbsent(name, n -> new PipelineLedger());
  }

  /** One pipeline's part of the ledger. */
  static final class PipelineLedger {
    public Map<String, Entry> windows = new TreeMap<>();

    /** By key (its values' text joined, see {@link Versions#keyText}). */
    public Map<String, Tombstone> tombstones = new TreeMap<>();

    /** The latest result of each check, by window and check ({@code idem check}). */
    public Map<String, CheckResult> checks = new TreeMap<>();
  }

  /** One window: its state as the ledger interface shows it, and what only this ledger keeps. */
  static final class Entry {
    public WindowState state;

    /** The greatest fencing token issued for the window; the next claim takes the one after. */
    public long issued;

    public List<Letters> letters = new ArrayList<>();
  }

  /**
   * The dead letters of one attempt, in a file of their own beside the ledger files (immutable once
   * written; counted only once the attempt's commit names it here).
   */
  static final class Letters {
    public long token;
    public String file;
    public int count;
    public Instant replayedAt;
    public String replayRunId;
  }

  /**
   * A deleted key's greatest delete version: its {@code order_by} values as text, the window order
   * key and id of the window whose delete it was (ADR 0007).
   */
  static final class Tombstone implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public List<String> version;
    public String windowOrder;
    public String window;
    public Instant recordedAt;
  }
}
