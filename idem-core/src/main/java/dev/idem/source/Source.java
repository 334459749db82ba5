package dev.idem.source;

import dev.idem.ledger.WindowState;
import dev.idem.schema.Schema;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where a pipeline reads from. A source yields the records of one window at a time and can be read
 * again: reading the same window twice yields the same records.
 */
public interface Source extends AutoCloseable {
  /** The declared schema of the records. */
  Schema schema();

  /** The windows present in the input, sorted by id. */
  List<Window> windows(WindowSpec spec) throws IOException;

  /**
   * The windows to load next, given what the ledger already holds for the pipeline. Sources whose
   * windows follow from the input alone ignore the ledger; a stream source continues each partition
   * from the position its last done window recorded, and offers a window that was begun and not
   * finished again with the same start.
   */
  default List<Window> windows(WindowSpec spec, List<WindowState> ledger) throws IOException {
    return windows(spec);
  }

  /** The records of one window (for time windows: those whose window column falls in it). */
  RecordReader read(WindowSpec spec, Window window) throws IOException;

  /**
   * The records of one window, given its ledger row when it has one: a stream window that is done
   * is read again up to the position it recorded, never further, so that it cannot overlap the
   * window after it.
   */
  default RecordReader read(WindowSpec spec, Window window, Optional<WindowState> recorded)
      throws IOException {
    return read(spec, window);
  }

  /**
   * A cheap fingerprint of the window's input, when the source has one (a file's checksum, a count
   * and max(updated_at)); empty means the runner hashes the records themselves.
   */
  default Optional<String> fingerprint(WindowSpec spec, Window window) throws IOException {
    return Optional.empty();
  }

  /** A stable description of what is read (not credentials), part of the definition hash. */
  String describe();

  /**
   * What is read, named for lineage; by default the description in the {@code idem} namespace. A
   * connector that knows its system's naming (a path, a topic, a URL and a query) overrides it.
   */
  default Dataset dataset() {
    return new Dataset("idem", describe());
  }

  /**
   * Whether a reader of this source may be read on another thread than the one that opened it (one
   * thread at a time, never two at once), so that a window's records are parsed while the ones
   * before them are staged. False by default (a Kafka consumer belongs to its thread).
   */
  default boolean readsOnAnyThread() {
    return false;
  }

  @Override
  default void close() throws IOException {}
}
