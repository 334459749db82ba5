package dev.idem.run;

import dev.idem.DataException;
import dev.idem.context.Workers;
import dev.idem.destination.RowFold;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.WindowSchema;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.SchemaDiff;
import dev.idem.source.FoldsEarly;
import dev.idem.source.ObservesSchema;
import dev.idem.source.OffersCsvFiles;
import dev.idem.source.RecordReader;
import dev.idem.source.ScattersRows;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One window's read with its observed schema: opens the source's reader observing the schema (when
 * the source reports one), stages the columns {@code evolve} adds, judges the pipeline's drift
 * policy whenever the observation changes (so a drifted CSV header fails the window at its first
 * record, not after the whole file), and reports what the ledger records.
 */
final class SchemaWatch implements AutoCloseable {
  private final Pipeline pipeline;
  private final Window window;
  private final ObservedSchema observed;
  private final RecordReader reader;
  private final int declared;

  /**
   * Where each added column's value goes among the staged added columns; -1 when it is not staged.
   */
  private int[] positions = new int[0];

  private int staged;
  private int seen;

  /** Whether the reader was asked to fold the window's records early ({@link FoldsEarly}). */
  private final boolean foldsEarly;

  /**
   * Whether the reader was asked to keep the rows it stages where it reads them ({@link
   * ScattersRows}).
   */
  private final boolean scatters;

  /** The records the destination staged itself from the source's files ({@link NativeRead}). */
  private final long stagedByDestination;

  private SchemaWatch(
      Pipeline pipeline,
      Window window,
      WindowWrite write,
      Optional<RowFold> fold,
      Optional<WindowState> recorded)
      throws IOException {
    this.stagedByDestination = 0;
    this.pipeline = pipeline;
    this.window = window;
    this.declared = pipeline.source().schema().size();
    if (pipeline.source() instanceof ObservesSchema observing) {
      ObservedSchema.Resolver resolver =
          write == null
              ? (index, proposed) -> proposed
              : (index, proposed) -> stage(index, write.addColumn(proposed));
      this.observed =
          new ObservedSchema(pipeline.source().schema(), pipeline.schemaDrift(), resolver);
      this.foldsEarly = fold.isPresent() && observing instanceof FoldsEarly;
      this.scatters = foldsEarly && observing instanceof ScattersRows && write.takesScattered();
      this.reader =
          scatters
              ? ((ScattersRows) observing)
                  .readScattering(pipeline.windows(), window, observed, fold.get())
              : foldsEarly
                  ? ((FoldsEarly) observing).read(pipeline.windows(), window, observed, fold.get())
                  : observing.read(pipeline.windows(), window, observed);
    } else {
      this.foldsEarly = false;
      this.scatters = false;
      this.observed = null;
      this.reader = pipeline.source().read(pipeline.windows(), window, recorded);
    }
  }

  /**
   * The schema of a window whose records {@code write} staged from the source's CSV files itself
   * ({@link NativeRead}): the files' headers are observed as reading them would, and the reader
   * returns no record.
   */
  private SchemaWatch(
      Pipeline pipeline, Window window, OffersCsvFiles source, long stagedByDestination)
      throws IOException {
    this.stagedByDestination = stagedByDestination;
    this.foldsEarly = false;
    this.scatters = false;
    this.pipeline = pipeline;
    this.window = window;
    this.declared = pipeline.source().schema().size();
    this.observed =
        new ObservedSchema(
            pipeline.source().schema(), pipeline.schemaDrift(), (index, proposed) -> proposed);
    source.observeHeaders(pipeline.windows(), window, observed);
    this.reader = RecordReader.empty();
  }

  /**
   * See {@link #SchemaWatch(Pipeline, Window, OffersCsvFiles, long)}: {@code staged} records were
   * staged.
   */
  static SchemaWatch ofStagedFiles(
      Pipeline pipeline, Window window, OffersCsvFiles source, long staged) throws IOException {
    return new SchemaWatch(pipeline, window, source, staged);
  }

  /**
   * How many of the window's records the destination read and staged itself from the source's
   * files; 0 when the reader returns them all.
   */
  long stagedByDestination() {
    return stagedByDestination;
  }

  /**
   * Reads the window for loading: columns evolve adds are staged through {@code write}; a source
   * that {@link FoldsEarly} folds by {@code fold}, when present. {@code recorded} is the window's
   * ledger row, if any (a stream window read again stops at its recorded end).
   */
  static SchemaWatch open(
      Pipeline pipeline,
      Window window,
      WindowWrite write,
      Optional<RowFold> fold,
      Optional<WindowState> recorded)
      throws IOException {
    return new SchemaWatch(pipeline, window, write, fold, recorded);
  }

  /**
   * Reads the window without loading it (to fingerprint its records): added columns keep the
   * input's types.
   */
  static SchemaWatch open(Pipeline pipeline, Window window, Optional<WindowState> recorded)
      throws IOException {
    return new SchemaWatch(pipeline, window, null, Optional.empty(), recorded);
  }

  RecordReader reader() {
    return reader;
  }

  /**
   * Whether the reader folds records early: only then may it return {@link SourceRecord#folded}.
   */
  boolean foldsEarly() {
    return foldsEarly;
  }

  /**
   * Whether the reader may keep the rows it stages where it reads them: only then may it return
   * {@link SourceRecord#stagedElsewhere}.
   */
  boolean scatters() {
    return scatters;
  }

  /**
   * Once the reader returned its last record, the rows it kept where it read them ({@link
   * ScattersRows.Reader#scattered}), now the caller's.
   */
  Optional<Workers.Scattered> scattered() {
    return scatters ? ((ScattersRows.Reader) reader).scattered() : Optional.empty();
  }

  /**
   * The next record. A record the reader cannot return (a value a query's driver refuses) is judged
   * after the drift it may come from: the drift is the cause a person acts on.
   */
  SourceRecord next() throws IOException {
    try {
      return reader.next();
    } catch (DataException e) {
      check();
      throw e;
    }
  }

  private Column stage(int index, Column column) {
    if (positions.length <= index) {
      int from = positions.length;
      positions = Arrays.copyOf(positions, Math.max(index + 1, positions.length * 2));
      Arrays.fill(positions, from, positions.length, -1);
    }
    positions[index] = staged++;
    return column;
  }

  /**
   * Fails the window when the policy refuses what the input showed so far; judged again only when
   * the observation changed.
   */
  void check() {
    if (observed != null && observed.changes() != seen) {
      seen = observed.changes();
      judge(observed.diffSoFar());
    }
  }

  /** Fails the window when the policy refuses what the whole window showed. */
  void checkComplete() {
    if (observed != null) {
      judge(observed.diff());
    }
  }

  private void judge(SchemaDiff diff) {
    String why = pipeline.schemaDrift().violation(diff, observed);
    if (why != null) {
      String at = observed.firstAt() == null ? "" : " at " + observed.firstAt();
      throw new DataException("window " + window.id() + ": schema drift" + at + ": " + why);
    }
  }

  /**
   * The staged row: {@code row} (declared columns, then the hash key if any) followed by the
   * record's staged added values.
   */
  Object[] row(Object[] row, Object[] values) {
    if (staged == 0) {
      return row;
    }
    Object[] out = Arrays.copyOf(row, row.length + staged);
    for (int k = 0; k < values.length - declared && k < positions.length; k++) {
      if (positions[k] >= 0) {
        out[row.length + positions[k]] = values[declared + k];
      }
    }
    return out;
  }

  /**
   * What the ledger records of the window's schema, once it is read; null when the source reports
   * none.
   */
  WindowSchema report() {
    if (observed == null) {
      return null;
    }
    SchemaDiff diff = observed.diff();
    long columns = pipeline.schemaDrift() == DriftPolicy.DISCARD ? observed.added() : 0;
    return new WindowSchema(
        observed.fingerprint(),
        diff.isEmpty() ? null : diff.describe(),
        columns,
        observed.droppedValues());
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
