package dev.idem.source;

import dev.idem.schema.ObservedSchema;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.util.Optional;

/**
 * Capability of a source whose input is CSV files: it can hand a window's files to a destination
 * that reads CSV itself ({@link dev.idem.destination.SupportsCsvFiles}), when their bytes are such
 * that the destination's reader provably sees the records this source's reader would (ADR 0009).
 */
public interface OffersCsvFiles extends ObservesSchema {
  /**
   * The window's files, when every one of them passes the checks {@link CsvFiles} states; empty
   * when any does not (the window is then read record by record, as always). Reads the files'
   * bytes; does not observe anything.
   */
  Optional<CsvFiles> csvFiles(WindowSpec spec, Window window) throws IOException;

  /**
   * Reports into {@code observed} what {@link #read(WindowSpec, Window, ObservedSchema)} would
   * report of the window's files before and without their records (each file's header), for a
   * window whose records a destination loaded from {@link #csvFiles}.
   */
  void observeHeaders(WindowSpec spec, Window window, ObservedSchema observed) throws IOException;
}
