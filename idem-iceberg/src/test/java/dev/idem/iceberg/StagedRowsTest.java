package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window's staged rows held in memory up to a number of rows, then spilled to files in sorted
 * runs: read back a slice of the key range at a time, each row with its place in the window, by key
 * and a key's rows in order, its values of the classes they were; the files gone once closed, and
 * those of a process that is gone deleted by the next spill.
 */
class StagedRowsTest {
  @TempDir Path tmp;

  private static int byId(Object[] a, Object[] b) {
    return Long.compare((Long) a[0], (Long) b[0]);
  }

  private static Object[] row(long id) {
    return new Object[] {
      id,
      "name " + id,
      new BigDecimal("1.50").add(BigDecimal.valueOf(id)),
      LocalDate.of(2024, 3, 1),
      LocalDateTime.of(2024, 3, 1, 10, 0),
      Instant.ofEpochSecond(id, 7),
      id % 2 == 0,
      null
    };
  }

  /** A slice's rows as "place:id", each checked to hold the values it was staged with. */
  private static List<String> slice(StagedRows rows, int s) {
    List<String> out = new ArrayList<>();
    rows.forEach(
        s,
        (at, row) -> {
          assertThat(row).isEqualTo(row((Long) row[0]));
          assertThat(row[2]).isEqualTo(row((Long) row[0])[2]); // the scale kept
          out.add(at + ":" + row[0]);
        });
    return out;
  }

  private static long at(String r) {
    return Long.parseLong(r.substring(0, r.indexOf(':')));
  }

  private static long id(String r) {
    return Long.parseLong(r.substring(r.indexOf(':') + 1));
  }

  /** By key, then a key's rows in the order they came. */
  private static final Comparator<String> BY_KEY_THEN_PLACE =
      Comparator.comparingLong(StagedRowsTest::id).thenComparingLong(StagedRowsTest::at);

  /**
   * 30,000 rows of ten keys past 3 held: 7,500 runs, merged 64 at a time before they are read, in
   * four slices of whole keys, each a range of keys after the one before.
   */
  @Test
  void pastTheRowsInMemoryEveryRowIsReadBackBySliceByKeyWithItsPlace() throws IOException {
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 3, 4, 64, tmp)) {
      for (long id = 0; id < 3; id++) {
        rows.add(row(9 - id));
      }
      assertThat(rows.spilled()).isFalse();
      assertThat(rows.slices()).isEqualTo(1);
      // not spilled: in the order they came
      assertThat(slice(rows, 0)).containsExactly("0:9", "1:8", "2:7");
      Object[] reused = row(6);
      rows.add(reused);
      reused[0] = 99L; // the caller's array is its own again
      for (long id = 4; id < 30_000; id++) {
        rows.add(row((9 - id % 10 + id / 1000) % 10));
      }
      assertThat(rows.spilled()).isTrue();
      assertThat(rows.slices()).isEqualTo(4);
      assertThat(rows.size()).isEqualTo(30_000);
      List<String> all = new ArrayList<>();
      long lastId = -1;
      for (int s = 0; s < 4; s++) {
        List<String> slice = slice(rows, s);
        assertThat(slice).isSortedAccordingTo(BY_KEY_THEN_PLACE);
        assertThat(id(slice.get(0))).isGreaterThan(lastId); // a key in one slice, ranges in order
        lastId = id(slice.get(slice.size() - 1));
        all.addAll(slice);
      }
      // 3,000 rows a key: cut at the first key after 7,500, 15,000 and 22,500 rows
      assertThat(all.stream().map(StagedRowsTest::id).distinct()).hasSize(10);
      assertThat(slice(rows, 0)).hasSize(9_000);
      assertThat(slice(rows, 3)).hasSize(6_000);
      assertThat(all).hasSize(30_000).contains("0:9", "3:6", "29999:9");
      assertThat(all.stream().map(StagedRowsTest::at).distinct()).hasSize(30_000);
      assertThat(slice(rows, 1)).isEqualTo(slice(rows, 1)); // read again, the same
      assertThatThrownBy(() -> rows.add(row(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the window's rows were read already");
      assertThat(spillFolders()).hasSize(1);
    }
    assertThat(spillFolders()).isEmpty();
  }

  /**
   * Slices of about the rows held in memory, each a range of the keys: three of 10,000 for 30,000
   * keys in shuffled order, whichever slice is read first.
   */
  @Test
  void aSliceIsARangeOfKeysOfAboutTheRowsHeldInMemory() {
    List<Long> ids = new ArrayList<>();
    for (long id = 0; id < 30_000; id++) {
      ids.add(id);
    }
    Collections.shuffle(ids, new Random(7));
    try (StagedRows rows =
        new StagedRows(StagedRowsTest::byId, 10_000, Integer.MAX_VALUE, 64, tmp)) {
      ids.forEach(id -> rows.add(row(id)));
      assertThat(rows.slices()).isEqualTo(3);
      for (int s : new int[] {2, 0, 1}) {
        List<String> slice = slice(rows, s);
        assertThat(slice.stream().map(StagedRowsTest::id))
            .isSortedAccordingTo(Comparator.naturalOrder())
            .hasSize(10_000)
            .first()
            .isEqualTo(s * 10_000L);
        for (String r : slice) {
          assertThat(ids.get((int) at(r))).isEqualTo(id(r)); // the row's place in the window
        }
      }
    }
  }

  /**
   * Slices read several at a time (planned by workers at once) each hold that share of the rows
   * held in memory; the first count decides.
   */
  @Test
  void slicesReadTwoAtATimeHoldHalfTheRowsHeldEach() {
    try (StagedRows rows =
        new StagedRows(StagedRowsTest::byId, 10_000, Integer.MAX_VALUE, 64, tmp)) {
      for (long id = 0; id < 30_000; id++) {
        rows.add(row(id));
      }
      assertThat(rows.slices(2, Integer.MAX_VALUE)).isEqualTo(6);
      assertThat(rows.slices()).isEqualTo(6);
      for (int s = 0; s < 6; s++) {
        assertThat(slice(rows, s)).hasSize(5_000);
      }
    }
  }

  /**
   * Rows held in memory, read by workers several slices at once, are cut by key into as many slices
   * as are read at once, each a range of keys, a key's rows in the order they came and never cut
   * apart; with fewer than two slices' least rows, or the first count one slice, they come in one
   * slice in the order they came. Nothing spills.
   */
  @Test
  void rowsHeldInMemoryAreCutByKeyIntoTheSlicesReadAtOnce() {
    long[] ids = {5, 1, 3, 1, 4, 2, 2, 6, 3};
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 100, 64, 64, tmp)) {
      for (long id : ids) {
        rows.add(row(id));
      }
      assertThat(rows.slices(3, 2)).isEqualTo(3);
      assertThat(rows.slices()).isEqualTo(3);
      assertThat(rows.spilled()).isFalse();
      // by key 1 1 2 2 3 3 4 5 6, cut at the 3rd and the 6th row unless that cuts a key apart:
      // key 2's second row moves the first cut on by one
      assertThat(slice(rows, 0)).containsExactly("1:1", "3:1", "5:2", "6:2");
      assertThat(slice(rows, 1)).containsExactly("2:3", "8:3");
      assertThat(slice(rows, 2)).containsExactly("4:4", "0:5", "7:6");
      assertThatThrownBy(() -> rows.forEach(3, (at, row) -> {}))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 100, 64, 64, tmp)) {
      for (long id : ids) {
        rows.add(row(id));
      }
      assertThat(rows.slices(3, 5)).isEqualTo(1); // 9 rows: not two slices of 5
      assertThat(slice(rows, 0)).hasSize(9).startsWith("0:5", "1:1", "2:3");
    }
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 100, 64, 64, tmp)) {
      for (long id : ids) {
        rows.add(row(id));
      }
      assertThat(rows.slices()).isEqualTo(1);
      assertThat(rows.slices(3, 1)).isEqualTo(1); // the first count decided
      rows.add(row(0));
      assertThat(rows.slices(3, 1)).isEqualTo(3); // until a row came: counted again
      assertThat(slice(rows, 0)).containsExactly("9:0", "1:1", "3:1");
    }
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 100, 2, 64, tmp)) {
      for (long id : ids) {
        rows.add(row(id));
      }
      assertThat(rows.slices(3, 1)).isEqualTo(2); // no more than the most slices
      assertThat(slice(rows, 0)).hasSize(4);
      assertThat(slice(rows, 1)).hasSize(5);
    }
    try (StagedRows rows = new StagedRows(null, 100, 64, 64, tmp)) {
      for (long id : ids) {
        rows.add(row(id));
      }
      assertThat(rows.slices(3, 1)).isEqualTo(1); // rows without a key are not cut
    }
  }

  /**
   * A key's rows are never cut apart: one key of every row fills the first slice, the rest none.
   */
  @Test
  void aKeyOfManyRowsFillsItsSliceAndTheLaterOnesHoldNone() {
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 1, 10, 64, tmp)) {
      for (int i = 0; i < 20; i++) {
        rows.add(row(i < 18 ? 7 : 8));
      }
      assertThat(rows.slices()).isEqualTo(10);
      assertThat(slice(rows, 9)).containsExactly("18:8", "19:8");
      assertThat(slice(rows, 0)).hasSize(18).allMatch(r -> id(r) == 7);
      for (int s = 1; s < 9; s++) {
        assertThat(slice(rows, s)).isEmpty();
      }
    }
  }

  /** Rows without a key spill too, and come back in the order they came, cut at their shares. */
  @Test
  void rowsWithoutAKeySpillAndComeBackInTheOrderTheyCame() {
    try (StagedRows rows = new StagedRows(null, 2, 64, 2, tmp)) {
      for (long id = 10; id > 0; id--) {
        rows.add(row(id % 3));
      }
      assertThat(rows.spilled()).isTrue();
      assertThat(rows.slices()).isEqualTo(5);
      assertThat(slice(rows, 4)).containsExactly("8:2", "9:1");
      assertThat(slice(rows, 0)).containsExactly("0:1", "1:0");
      assertThat(slice(rows, 2)).containsExactly("4:0", "5:2");
    }
  }

  /**
   * Spilled rows that cannot be written fail every read of them, not only the first (a plan made
   * again must not plan fewer rows); a slice that is not one of them is refused.
   */
  @Test
  void rowsThatCouldNotBeWrittenFailEveryReadAndASliceOutOfRangeIsRefused() throws IOException {
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 2, 64, 64, tmp)) {
      for (long id = 0; id < 4; id++) {
        rows.add(row(id));
      }
      assertThat(rows.spilled()).isTrue();
      Path folder = spillFolders().get(0);
      try (Stream<Path> files = Files.list(folder)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(folder); // the last run cannot be written
      assertThatThrownBy(rows::slices).isInstanceOf(UncheckedIOException.class);
      assertThatThrownBy(rows::slices).isInstanceOf(UncheckedIOException.class);
      assertThatThrownBy(() -> rows.forEach(0, (at, row) -> {}))
          .isInstanceOf(UncheckedIOException.class);
    }
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 0, 64, 64, tmp)) {
      rows.add(row(1));
      rows.add(row(2));
      assertThat(rows.slices()).isEqualTo(2);
      assertThatThrownBy(() -> rows.forEach(2, (at, row) -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("slice 2 of 2");
    }
  }

  @Test
  void theFoldersOfAProcessThatIsGoneAreDeletedByTheNextSpill() throws IOException {
    long gone = ProcessHandle.current().pid() + 1_000_000_000L;
    Path left = Files.createDirectory(tmp.resolve("idem-staged-" + gone + "-123"));
    Files.writeString(left.resolve("0.rows"), "x");
    Path mine =
        Files.createDirectory(tmp.resolve("idem-staged-" + ProcessHandle.current().pid() + "-1"));
    Path other = Files.createDirectory(tmp.resolve("idem-other-" + gone));
    try (StagedRows rows = new StagedRows(StagedRowsTest::byId, 0, 2, 64, tmp)) {
      rows.add(row(1));
      assertThat(left).doesNotExist();
      assertThat(mine).exists();
      assertThat(other).exists();
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> new StagedRows(StagedRowsTest::byId, -1, 4, 64, tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "-Didem.window.memory.rows must be 0 or more and -Didem.window.slices 1 or more");
  }

  private List<Path> spillFolders() throws IOException {
    try (Stream<Path> all = Files.list(tmp)) {
      return all.filter(p -> p.getFileName().toString().startsWith("idem-staged-")).toList();
    }
  }
}
