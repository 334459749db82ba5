package dev.idem.source;

import dev.idem.context.Workers;
import dev.idem.destination.RowFold;
import dev.idem.schema.ObservedSchema;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.util.Optional;

/**
 * Capability: a source whose reader stages a window's rows where it reads them (an engine's tasks)
 * and keeps them there, for a write that plans them there ({@link
 * dev.idem.destination.WindowWrite#takesScattered}): the window's rows never travel to the runner.
 * The runner asks for it where it would offer {@link FoldsEarly} a fold, and the write takes such
 * rows.
 */
public interface ScattersRows extends FoldsEarly {
  /**
   * Reads a window as {@link FoldsEarly#read} does, in the same order, but each record that the
   * runner would stage and that does not lose its key's fold is staged where it is read and
   * returned as {@link SourceRecord#stagedElsewhere}, naming the values the runner nulls in it; its
   * row is kept where it was read, in {@link Reader#scattered}. A record the runner would not stage
   * is returned unchanged. The reader may instead return every record as {@link FoldsEarly#read}
   * does (it could not keep the rows where they were read), and then has no scattered rows.
   */
  Reader readScattering(WindowSpec spec, Window window, ObservedSchema observed, RowFold fold)
      throws IOException;

  /** A window's reader that may keep the rows it stages where they were read. */
  interface Reader extends RecordReader {
    /**
     * Once the reader returned its last record: the rows it staged elsewhere, as many as the
     * records it returned as {@link SourceRecord#stagedElsewhere}, which the caller now owns (and
     * closes); empty when it returned none so.
     */
    Optional<Workers.Scattered> scattered();
  }
}
