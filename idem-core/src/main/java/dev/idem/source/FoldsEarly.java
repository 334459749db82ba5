package dev.idem.source;

import dev.idem.destination.RowFold;
import dev.idem.schema.ObservedSchema;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;

/**
 * Capability: a source whose reader folds a window's rows by key before the runner stages them,
 * where it reads parts of the window apart (an engine's tasks, each folding its own part, so that
 * only each part's winners travel to the runner). The runner offers it the write's {@link RowFold}
 * when the write has one, the pipeline has no row functions and the source's fingerprint does not
 * hash the records.
 */
public interface FoldsEarly extends ObservesSchema {
  /**
   * Reads a window as {@link ObservesSchema#read} does, in the same order, but for each record that
   * the runner would stage and that loses its key's fold to another record the reader returns: that
   * one is returned as {@link SourceRecord#folded}, naming the values the runner nulls in it, if
   * any, with its position. A record the runner would not stage (bad, or with a bad value it does
   * not null) is returned unchanged.
   */
  RecordReader read(WindowSpec spec, Window window, ObservedSchema observed, RowFold fold)
      throws IOException;
}
