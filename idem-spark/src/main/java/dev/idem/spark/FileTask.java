package dev.idem.spark;

import dev.idem.DataException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.destination.RowFold;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.EarlyFold;
import dev.idem.run.StagingElsewhere;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.ValueCodec;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSource;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;

/**
 * One Spark task: one input file's records of one window, read and typed by idem's own reader. The
 * task reads the pipeline file again ({@link PipelineRef}) with the source narrowed to its file
 * ({@code --set source.path=<pathSetting>}, which names the file {@code file} as the original
 * source does), so its records carry the positions ({@code file:line}), values and problems the JVM
 * runner's reader gives them; what it returns is plain serializable data.
 */
record FileTask(
    PipelineRef pipeline,
    FileSource.InputFile file,
    FilePart part,
    String pathSetting,
    String windowId,
    RowFold fold,
    int foldKeys)
    implements Serializable {
  private static final long serialVersionUID = 4L;

  /**
   * Runs on an executor: the records of the window in the file's part, in the file's order; with a
   * {@code fold}, each record that loses its key's fold to another of the part's records is
   * returned as {@link SourceRecord#folded} ({@link EarlyFold}, holding the winners of the {@code
   * foldKeys} keys met last), so only the part's winners travel to the driver.
   */
  FileRecords read() {
    return read(
        (p, records, early, observed, failure) ->
            result(folded(records, early), observed, p.schemaDrift(), failure));
  }

  /**
   * Runs on an executor: the records of the window in the file's part as {@link #read} returns
   * them, but each record the runner would stage and the fold keeps staged here ({@link
   * StagingElsewhere}: its row kept with its record's number, some rows a sample) and returned as
   * {@link SourceRecord#stagedElsewhere}: only the records the runner does not stage (bad ones, for
   * the dead letters) and a few bytes a record travel to the driver; the rows stay where the task
   * ran ({@link SparkScattered}).
   */
  KeptRows readKeeping() {
    return read(
        (p, records, early, observed, failure) -> {
          StagingElsewhere staging = new StagingElsewhere(p);
          ValueCodec.Writer rows = new ValueCodec.Writer();
          int[] count = {0};
          Sample sample = new Sample(SAMPLE_ROWS);
          RecordCodec.Writer returned =
              records.replacing(
                  i -> {
                    SourceRecord lost = early == null ? null : early.replacement(i);
                    if (lost != null) {
                      return lost;
                    }
                    StagingElsewhere.Staged staged = staging.stage(records.record(i));
                    if (staged == null) {
                      return null;
                    }
                    rows.integer(i);
                    rows.row(staged.row());
                    sample.offer(staged.row());
                    count[0]++;
                    return staged.returned();
                  });
          return new KeptRows(
              result(returned, observed, p.schemaDrift(), failure),
              rows.bytes(),
              count[0],
              sample.rows);
        });
  }

  /** The most rows of a part in the sample slices are cut by. */
  private static final int SAMPLE_ROWS = 64;

  /**
   * Every {@code step}-th row offered, the step doubling each time more than {@code most} are held:
   * at most {@code most} rows spread over all, the same for the same rows.
   */
  static final class Sample {
    private final int most;
    ArrayList<Object[]> rows = new ArrayList<>();
    private long step = 1;
    private long offered;

    Sample(int most) {
      this.most = most;
    }

    void offer(Object[] row) {
      if (offered++ % step != 0) {
        return;
      }
      rows.add(row);
      if (rows.size() > most) {
        ArrayList<Object[]> every2nd = new ArrayList<>(rows.size() / 2 + 1);
        for (int i = 0; i < rows.size(); i += 2) {
          every2nd.add(rows.get(i));
        }
        rows = every2nd;
        step *= 2;
      }
    }
  }

  /** What a read task makes of its part's records once it read them. */
  @FunctionalInterface
  private interface Finish<T> {
    T apply(
        Pipeline p,
        RecordCodec.Writer records,
        EarlyFold early,
        ObservedSchema observed,
        String failure);
  }

  /**
   * Reads the file's part, folding its records early with a {@code fold}, and {@code finish}es the
   * result; a file under freeze that drifted finishes without records (the driver reads it).
   */
  private <T> T read(Finish<T> finish) {
    RecordCodec.Writer records = new RecordCodec.Writer();
    try (PipelineDefinition d = definition()) {
      Pipeline p = d.pipeline();
      ObservedSchema observed = ObservedSchema.of(p.source().schema(), p.schemaDrift());
      // discard drops added columns, and evolve loads a missing column as null, whatever the
      // destination says (each fails on a missing column it cannot load: DriftPolicy), so the
      // driver takes what this task saw; under evolve the task loads an added column as the input
      // types it, which the driver takes when the destination resolves the column alike, else it
      // reads the part again (Collected); a file that drifted under freeze, which fails the window
      // at the record that shows the drift, is read again by the driver (readOnDriver)
      DriftPolicy policy = p.schemaDrift();
      // a key's kept record is read again from the records written when its key comes again
      EarlyFold early = fold == null ? null : new EarlyFold(p, fold, foldKeys, records::record);
      try (RecordReader r = open(p, observed, part)) {
        boolean first = true;
        for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
          if (onDriver(observed, policy, first)) {
            return finish.apply(p, new RecordCodec.Writer(), null, observed, null);
          }
          first = false;
          records.add(rec);
          if (early != null) {
            early.add(rec);
          }
        }
      } catch (DataException e) {
        // a reader that cannot move past a record (a CSV syntax error) returned it as bad first,
        // then throws: the window fails there, as in the JVM runner
        return finish.apply(p, records, early, observed, e.getMessage());
      }
      return finish.apply(p, records, early, observed, null);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs on an executor: the line breaks in the bytes of this task's part of a CSV or JSON-lines
   * file ({@link FileSource#lineBreaks}), which the driver adds up to tell each part of the file
   * the line it starts after.
   */
  long lineBreaks() {
    try (PipelineDefinition d = definition()) {
      return ((FileSource) d.pipeline().source()).lineBreaks(part);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file.name() + ": " + e.getMessage(), e);
    }
  }

  /** This task reading {@code part} of its file instead. */
  FileTask reading(FilePart part) {
    return new FileTask(pipeline, file, part, pathSetting, windowId, fold, foldKeys);
  }

  /** The records with those that lost the early fold as {@link SourceRecord#folded}. */
  private static RecordCodec.Writer folded(RecordCodec.Writer records, EarlyFold early) {
    if (early == null || early.folded() == 0) {
      return records;
    }
    return records.replacing(early::replacement);
  }

  /**
   * Runs on the driver: a reader of the file's records of the window that reports what it observes
   * into the window's own observation, so {@code schema_drift} decides about added and missing
   * columns with the destination's answer, as the JVM runner's reader does. For a file the driver
   * cannot take from its tasks ({@link #result}, a part before the file's last that failed): the
   * whole file, whichever part this task reads.
   */
  RecordReader readOnDriver(ObservedSchema observed) throws IOException {
    return readOnDriver(observed, FilePart.WHOLE);
  }

  /**
   * Runs on the driver: a reader of this task's part of the file, as {@link
   * #readOnDriver(ObservedSchema)} reads the whole file: for a part whose added columns the
   * driver's observation does not load as this task loaded them ({@link
   * ObservedSchema#resolveAdded}).
   */
  RecordReader readPartOnDriver(ObservedSchema observed) throws IOException {
    return readOnDriver(observed, part);
  }

  private RecordReader readOnDriver(ObservedSchema observed, FilePart which) throws IOException {
    PipelineDefinition d = definition();
    try {
      RecordReader r = open(d.pipeline(), observed, which);
      return new RecordReader() {
        @Override
        public SourceRecord next() throws IOException {
          return r.next();
        }

        @Override
        public void close() throws IOException {
          try (d) {
            r.close();
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      try {
        d.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Whether the file is known to need reading on the driver, at its first record or after a later
   * one: under freeze, a column added (a CSV header, a Parquet schema, a JSON line's key) or
   * missing from the header. A column added by a later JSON line is found by the loop; one absent
   * from every JSON line only at the end ({@link #result}).
   */
  private static boolean onDriver(ObservedSchema observed, DriftPolicy policy, boolean first) {
    return policy == DriftPolicy.FREEZE
        && ((first && !observed.diffSoFar().removed().isEmpty()) || observed.added() > 0);
  }

  /** The pipeline file loaded with the source narrowed to this task's file. */
  private PipelineDefinition definition() {
    return pipeline.narrowed(pathSetting);
  }

  /**
   * The task's result; the driver reads the file again when it drifted and the driver cannot take
   * what the task saw instead: under freeze, any drift, a retyped value too (the window fails at
   * the record that shows it, which only a reader on the driver meets in place).
   */
  private FileRecords result(
      RecordCodec.Writer records, ObservedSchema observed, DriftPolicy policy, String failure) {
    boolean onDriver = policy == DriftPolicy.FREEZE && !observed.diff().isEmpty();
    return new FileRecords(
        file.name(),
        records.bytes(),
        records.count(),
        records.folded(),
        onDriver,
        observed.seen(),
        failure);
  }

  private RecordReader open(Pipeline p, ObservedSchema observed, FilePart part) throws IOException {
    // a file source, as SparkSource's
    return ((FileSource) p.source())
        .read(p.windows(), p.windows().window(windowId), observed, file, part);
  }
}
