package dev.idem.iceberg;

import dev.idem.context.Workers;
import java.util.ArrayList;
import java.util.List;

/**
 * Slices of a window's keys cut at the keys of some of its rows (a sample of rows kept where they
 * were read, {@link Workers.Scattered#sample}), in the key order a window's slices are cut by
 * ({@link KeyFold#compareKeys}): a row's slice is the number of cuts at or below its key, so each
 * slice is a range of keys, the slices in key order, and all rows of a key in one. The cuts are the
 * sample's keys at even shares of it, each cut once.
 */
final class KeyCuts implements Workers.Slicing {
  private static final long serialVersionUID = 1L;

  private final KeyFold fold;

  /** Staged rows whose keys cut the slices, in key order, no two of one key. */
  private final List<Object[]> cuts;

  private KeyCuts(KeyFold fold, List<Object[]> cuts) {
    this.fold = fold;
    this.cuts = cuts;
  }

  /**
   * Up to {@code slices} slices cut at the keys of {@code sample} (fewer when it holds fewer keys
   * than that): slice {@code i} begins at the key of the sample's row at {@code i / slices} of it.
   */
  static KeyCuts of(List<Object[]> sample, int slices, KeyFold fold) {
    List<Object[]> sorted = new ArrayList<>(sample);
    sorted.sort(fold::compareKeys);
    List<Object[]> cuts = new ArrayList<>(); // serializable, as the slicing
    for (int i = 1; i < slices && !sorted.isEmpty(); i++) {
      Object[] cut = sorted.get((int) ((long) i * sorted.size() / slices));
      if (fold.compareKeys(cut, sorted.get(0)) > 0
          && (cuts.isEmpty() || fold.compareKeys(cut, cuts.get(cuts.size() - 1)) > 0)) {
        cuts.add(cut);
      }
    }
    return new KeyCuts(fold, cuts);
  }

  @Override
  public int slices() {
    return cuts.size() + 1;
  }

  @Override
  public int slice(Object[] row) {
    int low = 0;
    int high = cuts.size();
    while (low < high) { // the first cut above the row's key
      int mid = (low + high) >>> 1;
      if (fold.compareKeys(cuts.get(mid), row) <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
