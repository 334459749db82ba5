package dev.idem.run;

import dev.idem.destination.RowFold;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.FoldsEarly;
import dev.idem.source.SourceRecord;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds part of a window's records early ({@link FoldsEarly}) by a write's {@link RowFold}: each
 * record is staged as the runner's loop stages it ({@link RecordStaging}); of a key's staged rows
 * the first that no later one replaces is kept, the others are returned as {@link
 * SourceRecord#folded}. Records the runner would not stage, and rows of no key, are returned as
 * they are. Holds a bit per record and the kept row of at most {@code keys} keys, those met last: a
 * key met again after it was let go starts over, and its earlier winner stays returned, to be
 * folded by the write with the rest (folding less early is never wrong, only slower).
 */
public final class EarlyFold {
  private final RecordStaging staging;
  private final RowFold fold;
  private final Map<String, Winner> winners;
  private final BitSet lost = new BitSet();
  private int count;

  /** A key's row kept so far, and its record's index; never compared with equals. */
  @SuppressWarnings("ArrayRecordComponent")
  private record Winner(int index, Object[] row) {}

  /**
   * For a pipeline without row functions (a pipeline file's): a task staging records early has no
   * run context to give them. Holds the kept rows of at most {@code keys} keys.
   */
  public EarlyFold(Pipeline pipeline, RowFold fold, int keys) {
    if (!pipeline.rowFunctions().isEmpty()) {
      throw new IllegalArgumentException("a pipeline with row functions is not folded early");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1, not " + keys);
    }
    this.staging = new RecordStaging(pipeline);
    this.fold = fold;
    this.winners = new Recent(keys);
  }

  /** The kept rows of the keys met last, at most {@code keys} of them. */
  private static final class Recent extends LinkedHashMap<String, Winner> {
    private static final long serialVersionUID = 1L;
    private final int keys;

    Recent(int keys) {
      super(16, 0.75f, true);
      this.keys = keys;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Winner> eldest) {
      return size() > keys;
    }
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
