package dev.idem.run;

import dev.idem.destination.RowFold;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.FoldsEarly;
import dev.idem.source.SourceRecord;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds part of a window's records early ({@link FoldsEarly}) by a write's {@link RowFold}: each
 * record is staged as the runner's loop stages it ({@link RecordStaging}); of a key's staged rows
 * the first that no later one replaces is kept, the others are to be returned as {@link
 * SourceRecord#folded} ({@link #replacement}). Records the runner would not stage, and rows of no
 * key, are returned as they are. Holds a bit per record and the kept row of at most {@code keys}
 * keys, those met last: a key met again after it was let go starts over, and its earlier winner
 * stays returned, to be folded by the write with the rest (folding less early is never wrong, only
 * slower).
 */
public final class EarlyFold {
  /** A folded record naming no nulled value (no position needed). */
  private static final SourceRecord FOLDED = SourceRecord.folded(null, List.of());

  private final RecordStaging staging;
  private final RowFold fold;
  private final Map<Object, Winner> winners;
  private final BitSet lost = new BitSet();

  /** The folded records naming nulled values, by index; the others are {@link #FOLDED}. */
  private final Map<Integer, SourceRecord> naming = new HashMap<>();

  private int count;

  /**
   * A key's row kept so far, its record's index and what it is returned as if it loses; never
   * compared with equals.
   */
  @SuppressWarnings("ArrayRecordComponent")
  private record Winner(int index, Object[] row, SourceRecord asFolded) {}

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
  private static final class Recent extends LinkedHashMap<Object, Winner> {
    private static final long serialVersionUID = 1L;
    private final int keys;

    Recent(int keys) {
      super(16, 0.75f, true);
      this.keys = keys;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Winner> eldest) {
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
    Object key = row == null ? null : fold.key(row);
    if (key == null) {
      return;
    }
    SourceRecord asFolded =
        judged.badValues().isEmpty()
            ? FOLDED
            : SourceRecord.folded(judged.position(), judged.badValues());
    Winner kept = winners.get(key);
    if (kept == null) {
      winners.put(key, new Winner(index, row, asFolded));
    } else if (fold.replaces(row, kept.row())) {
      lose(kept.index(), kept.asFolded());
      winners.put(key, new Winner(index, row, asFolded));
    } else {
      lose(index, asFolded);
    }
  }

  private void lose(int index, SourceRecord asFolded) {
    lost.set(index);
    if (!asFolded.badValues().isEmpty()) {
      naming.put(index, asFolded);
    }
  }

  /** How many of the records taken lost their key's fold. */
  public int folded() {
    return lost.cardinality();
  }

  /**
   * What the {@code index}-th record taken (from 0) is returned as once the part is read: null when
   * it is returned as it is, else a {@link SourceRecord#folded} record (naming the values nulled in
   * it, if any).
   */
  public SourceRecord replacement(int index) {
    return lost.get(index) ? naming.getOrDefault(index, FOLDED) : null;
  }
}
