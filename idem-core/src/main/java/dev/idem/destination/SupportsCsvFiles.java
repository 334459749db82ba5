package dev.idem.destination;

import dev.idem.source.CsvFiles;
import java.util.OptionalLong;

/**
 * Capability of a {@link WindowWrite}: stages a window's records by reading its CSV files itself,
 * instead of being given them row by row (ADR 0009). It must stage exactly the rows the row-by-row
 * path would stage, typed as {@link dev.idem.schema.ValueParser} types them, or nothing.
 */
public interface SupportsCsvFiles {
  /**
   * Whether {@link #stageCsvFiles} may stage anything in this write (a database with a CSV reader,
   * nothing staged yet): asked before the source checks its files, which costs a read of them.
   */
  boolean readsCsvFiles();

  /**
   * Stages every record of {@code files} that belongs to the window, when it can prove that each of
   * their values is one {@code ValueParser} reads as the value it stages ({@link
   * dev.idem.schema.PlainText}), that every record of the files has a window, and that the target
   * refuses none of them; returns how many it staged. Otherwise stages nothing (whatever it did is
   * undone) and returns empty, and the write goes on as if this had not been called. Called before
   * any row is added, at most once.
   */
  OptionalLong stageCsvFiles(CsvFiles files);
}
