package dev.idem.run;

import dev.idem.destination.RowFold;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.FoldsEarly;
import dev.idem.source.SourceRecord;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Folds part of a window's records early ({@link FoldsEarly}) by a write's {@link RowFold}: each
 * record is staged as the runner's loop stages it ({@link RecordStaging}); of a key's staged rows
 * the first that no later one replaces is kept, the others are returned as {@link
 * SourceRecord#folded}. Records the runner would not stage, and rows of no key, are returned as
 * they are. Holds one staged row per key and a bit per record.
 */
public final class EarlyFold {
  private final RecordStaging staging;
  private final RowFold fold;
  private final Map<String, Winner> winners = new HashMap<>();
  private final BitSet lost = new BitSet();
  private int count;

  /** A key's row kept so far, and its record's index; never compared with equals. */
  @SuppressWarnings("ArrayRecordComponent")
  private record Winner(int index, Object[] row) {}

  /**
   * For a pipeline without row functions (a pipeline file's): a task staging records early has no
   * run context to give them.
   */
  public EarlyFold(Pipeline pipeline, RowFold fold) {
    if (!pipeline.rowFunctions().isEmpty()) {
      throw new IllegalArgumentException("a pipeline with row functions is not folded early");
    }
    this.staging = new RecordStaging(pipeline);
    this.fold = fold;
  }

  /** Takes the part's next record. */
  public void add(SourceRecord r) {
    int index = count++;
    SourceRecord judged = staging.judge(r);
    if (judged.isBad()) {
      return;
    }
    Object[] row = staging.row(judged, null);
    String key = row == null ? null : fold.key(row);
    if (key == null) {
      return;
    }
    Winner kept = winners.get(key);
    if (kept == null) {
      winners.put(key, new Winner(index, row));
    } else if (fold.replaces(row, kept.row())) {
      lost.set(kept.index());
      winners.put(key, new Winner(index, row));
    } else {
      lost.set(index);
    }
  }

  /** How many of the records taken lost their key's fold. */
  public int folded() {
    return lost.cardinality();
  }

  /**
   * The {@code index}-th record taken ({@code r}, from 0) as the reader returns it once the part is
   * read: folded when it lost.
   */
  public SourceRecord returned(int index, SourceRecord r) {
    return lost.get(index) ? SourceRecord.folded(r.position(), r.badValues()) : r;
  }
}
