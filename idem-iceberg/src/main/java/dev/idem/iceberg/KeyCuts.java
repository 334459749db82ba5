package dev.idem.iceberg;

import dev.idem.context.Workers;
import java.util.ArrayList;
import java.util.List;

/**
 * Slices of a window's keys cut at the keys of some of its rows (a sample of rows kept where they
 * were read, {@link Workers.Scattered#sample}), in the key order a window's slices are cut by
 * ({@link KeyFold#compareKeys}): a row's slice is the number of cuts at or below its key, so each
 * slice is a range of keys, the slices in key order, and all rows of a key in one. The cuts are the
 * sample's keys at even shares of the rows it stands for, each cut once.
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
   * than that): slice {@code i} begins at the key of the first sampled row, in key order, at which
   * the rows the sample stands for (its rows' weights, half of a row's own before it) reach {@code
   * i / slices} of them.
   */
  static KeyCuts of(List<Workers.Sampled> sample, int slices, KeyFold fold) {
    List<Workers.Sampled> sorted = new ArrayList<>(sample);
    sorted.sort((a, b) -> fold.compareKeys(a.row(), b.row()));
    long total = 0;
    for (Workers.Sampled s : sorted) {
      total += s.weight();
    }
    List<Object[]> cuts = new ArrayList<>(); // serializable, as the slicing
    long passed = 0;
    int next = 1; // the next cut's number
    for (Workers.Sampled s : sorted) {
      // a sampled row stands for rows around its key: half of them before it
      double at = passed + s.weight() / 2.0;
      if (next < slices
          && at >= (double) total * next / slices
          && fold.compareKeys(s.row(), sorted.get(0).row()) > 0
          && (cuts.isEmpty() || fold.compareKeys(s.row(), cuts.get(cuts.size() - 1)) > 0)) {
        cuts.add(s.row());
        while (next < slices && at >= (double) total * next / slices) {
          next++;
        }
      }
      passed += s.weight();
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
