package dev.idem.jdbc.write;

import java.util.List;

/**
 * What a strategy did to the target for one window: its rows after in-window dedup and what became
 * of them, the other windows whose rows it took over or deleted (their recorded row counts must be
 * recounted), and whether it replaced every other window's rows (replace_table: their ledger rows
 * no longer count as loaded).
 */
public record Applied(
    long rows,
    long inserted,
    long updated,
    long unchanged,
    long skipped,
    long deleted,
    long replaced,
    List<String> otherWindows,
    boolean supersedesOtherWindows) {
  public Applied {
    otherWindows = List.copyOf(otherWindows);
  }
}
