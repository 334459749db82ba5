package dev.idem.run;

import dev.idem.pipeline.Pipeline;
import dev.idem.source.ScattersRows;
import dev.idem.source.SourceRecord;

/**
 * Stages records as the runner's loop stages them ({@link RecordStaging}: {@code on_bad_value}, the
 * hash key), where a reader that keeps the rows it stages reads them ({@link ScattersRows}: an
 * engine's tasks): for each record, the row the runner would stage and what the reader returns in
 * its place. For a pipeline without row functions (a pipeline file's): a task has no run context to
 * give them.
 */
public final class StagingElsewhere {
  private final RecordStaging staging;

  public StagingElsewhere(Pipeline pipeline) {
    if (!pipeline.rowFunctions().isEmpty()) {
      throw new IllegalArgumentException("a pipeline with row functions is not staged elsewhere");
    }
    this.staging = new RecordStaging(pipeline);
  }

  /**
   * The row the runner stages for {@code r}, with the record the reader returns for it ({@link
   * SourceRecord#stagedElsewhere}, naming the values nulled in it with its position, else without
   * one); null when the runner would not stage it (a bad record, or one with a bad value it does
   * not null): the reader returns it as it is.
   */
  public Staged stage(SourceRecord r) {
    SourceRecord judged = staging.judge(r);
    if (judged.isBad()) {
      return null;
    }
    Object[] row = staging.row(judged, null);
    return row == null
        ? null
        : new Staged(
            row,
            // a position only for the nulled values' records: a record without is a few bytes
            SourceRecord.stagedElsewhere(
                judged.badValues().isEmpty() ? null : judged.position(), judged.badValues()));
  }

  /** A staged row and the record returned in its place. */
  // the row is handed over as staged, not copied
  @SuppressWarnings("ArrayRecordComponent")
  public record Staged(Object[] row, SourceRecord returned) {}
}
