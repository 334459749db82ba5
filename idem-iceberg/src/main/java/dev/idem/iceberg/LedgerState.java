package dev.idem.iceberg;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.idem.check.CheckResult;
import dev.idem.ledger.WindowState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;

/**
 * Everything idem records of one Iceberg table, as one JSON file (see {@link LedgerStore}): per
 * pipeline its windows, the dead-letter files of each window's attempts, and the tombstones of
 * deleted keys. A new file is written for every change and the table's {@link LedgerStore#POINTER}
 * property is swapped to it in the same Iceberg commit as the window's data files.
 */
final class LedgerState {
  /**
   * The format this idem writes: 2 since the tombstones are the table's (format 1 kept them per
   * pipeline, and an idem reading only those would not see the table's).
   */
  static final int FORMAT = 2;

  /** The format of this file; a reader refuses a newer one. */
  public int format = FORMAT;

  public Map<String, PipelineLedger> pipelines = new TreeMap<>();

  /**
   * The table's tombstones by key (its values' text joined, see {@link Versions#keyText}),
   * whichever pipeline's delete raised them: a renamed pipeline, or a second one writing the table,
   * finds them, as on the JDBC destinations (one tombstone table per target table). Read them
   * through {@link #tombstones(BinaryOperator)}.
   */
  @JsonProperty("tombstones")
  private Map<String, Tombstone> tombstones = new TreeMap<>();

  PipelineLedger pipeline(String name) {
    return pipelines.computeIfAbsent(name, n -> new PipelineLedger());
  }

  /**
   * The table's tombstones, with those a ledger file written before they were the table's kept per
   * pipeline moved in (of two of one key, the one {@code newer} picks), so the next change writes
   * them in their place.
   */
  Map<String, Tombstone> tombstones(BinaryOperator<Tombstone> newer) {
    for (PipelineLedger p : pipelines.values()) {
      p.pipelineTombstones.forEach((key, t) -> tombstones.merge(key, t, newer));
      p.pipelineTombstones.clear();
    }
    return tombstones;
  }

  /** One pipeline's part of the ledger. */
  static final class PipelineLedger {
    public Map<String, Entry> windows = new TreeMap<>();

    /**
     * Tombstones as format 1 kept them, before they were the table's: kept as they are until a
     * window's plan or commit moves them to the table's ({@link LedgerState#tombstones}), which
     * needs the pipeline's columns to tell the newer of two.
     */
    @JsonProperty("tombstones")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    private Map<String, Tombstone> pipelineTombstones = new TreeMap<>();

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
