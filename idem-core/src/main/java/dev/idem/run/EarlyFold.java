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
import java.util.function.IntFunction;

/**
 * Folds part of a window's records early ({@link FoldsEarly}) by a write's {@link RowFold}: each
 * record is staged as the runner's loop stages it ({@link RecordStaging}); of a key's staged rows
 * the first that no later one replaces is kept, the others are to be returned as {@link
 * SourceRecord#folded} ({@link #replacement}). Records the runner would not stage, and rows of no
 * key, are returned as they are.
 *
 * <p>Holds a bit per record and, for at most {@code keys} keys (those met last), the index of the
 * record kept: not its row, which is staged again from the record when a later record of its key
 * comes (a part without duplicates then keeps no row alive). A key met again after it was let go
 * starts over, and its earlier winner stays returned, to be folded by the write with the rest
 * (folding less early is never wrong, only slower).
 */
public final class EarlyFold {
  /** A folded record naming no nulled value (no position needed). */
  private static final SourceRecord FOLDED = SourceRecord.folded(null, List.of());

  private final RecordStaging staging;
  private final RowFold fold;
  private final IntFunction<SourceRecord> taken;
  private final Map<Object, Integer> winners;
  private final BitSet lost = new BitSet();

  /** The folded records naming nulled values, by index; the others are {@link #FOLDED}. */
  private final Map<Integer, SourceRecord> naming = new HashMap<>();

  private int count;

  /**
   * For a pipeline without row functions (a pipeline file's): a task staging records early has no
   * run context to give them. Holds the kept records of at most {@code keys} keys; {@code taken}
   * gives the {@code i}-th record taken again (from 0), equal to it.
   */
  public EarlyFold(Pipeline pipeline, RowFold fold, int keys, IntFunction<SourceRecord> taken) {
    if (!pipeline.rowFunctions().isEmpty()) {
      throw new IllegalArgumentException("a pipeline with row functions is not folded early");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1, not " + keys);
    }
    this.staging = new RecordStaging(pipeline);
    this.fold = fold;
    this.taken = taken;
    this.winners = new Recent(keys);
  }

  /** The kept records of the keys met last, at most {@code keys} of them. */
  private static final class Recent extends LinkedHashMap<Object, Integer> {
    private static final long serialVersionUID = 1L;
    private final int keys;

    Recent(int keys) {
      super(16, 0.75f, true);
      this.keys = keys;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Integer> eldest) {
      return size() > keys;
    }
  }

  /** Takes the part's next record. */
  public void add(SourceRecord r) {
    int index = count++;
    SourceRecord judged = staging.judge(r);
    Object[] row = judged.isBad() ? null : staging.row(judged, null);
    Object key = row == null ? null : fold.key(row);
    if (key == null) {
      return;
    }
    Integer kept = winners.get(key);
    if (kept == null) {
      winners.put(key, index);
      return;
    }
    SourceRecord keptRecord = staging.judge(taken.apply(kept));
    if (fold.replaces(row, staging.row(keptRecord, null))) {
      lose(kept, keptRecord);
      winners.put(key, index);
    } else {
      lose(index, judged);
    }
  }

  /** Marks a staged record ({@code judged}) as folded, keeping the values nulled in it. */
  private void lose(int index, SourceRecord judged) {
    lost.set(index);
    if (!judged.badValues().isEmpty()) {
      naming.put(index, SourceRecord.folded(judged.position(), judged.badValues()));
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
