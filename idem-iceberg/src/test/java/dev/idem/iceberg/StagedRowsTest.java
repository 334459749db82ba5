package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window's staged rows held in memory up to a number of rows, then spilled to files a slice of
 * keys each: read back a slice at a time, each row with its place in the window, in order, its
 * values of the classes they were; the files gone once closed, and those of a process that is gone
 * deleted by the next spill.
 */
class StagedRowsTest {
  @TempDir Path tmp;

  private static String key(Object[] row) {
    return Versions.keyText(Arrays.asList(row[0]));
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

  @Test
  void pastTheRowsInMemoryEveryRowIsReadBackBySliceInOrderWithItsPlace() throws IOException {
    try (StagedRows rows = new StagedRows(StagedRowsTest::key, 3, 4, tmp)) {
      for (long id = 0; id < 3; id++) {
        rows.add(row(id % 10));
      }
      assertThat(rows.spilled()).isFalse();
      assertThat(rows.slices()).isEqualTo(1);
      assertThat(slice(rows, 0)).containsExactly("0:0", "1:1", "2:2");
      Object[] reused = row(3);
      rows.add(reused);
      reused[0] = 99L; // the caller's array is its own again
      for (long id = 4; id < 30_000; id++) {
        rows.add(row(id % 10));
      }
      assertThat(rows.spilled()).isTrue();
      assertThat(rows.slices()).isEqualTo(4);
      assertThat(rows.size()).isEqualTo(30_000);
      List<String> all = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        List<String> slice = slice(rows, s);
        // in the order they came, each key in its slice
        assertThat(slice)
            .isSortedAccordingTo(
                (a, b) ->
                    Long.compare(
                        Long.parseLong(a.substring(0, a.indexOf(':'))),
                        Long.parseLong(b.substring(0, b.indexOf(':')))));
        for (String r : slice) {
          String id = r.substring(r.indexOf(':') + 1);
          assertThat(StagedRows.bucket(Versions.keyText(List.of(Long.parseLong(id))), 4))
              .isEqualTo(s);
        }
        all.addAll(slice);
      }
      assertThat(all).hasSize(30_000).contains("3:3", "29999:9");
      assertThat(slice(rows, 1)).isEqualTo(slice(rows, 1)); // read again, the same
      assertThatThrownBy(() -> rows.add(row(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the window's rows were read already");
      assertThat(spillFolders()).hasSize(1);
    }
    assertThat(spillFolders()).isEmpty();
  }

  /** Slices of about the rows held in memory: three of 10,000 for 30,000 rows, of 64 buckets. */
  @Test
  void aSliceIsTheBucketsWhoseNumberLeavesItAndHoldsAboutTheRowsHeldInMemory() {
    try (StagedRows rows = new StagedRows(StagedRowsTest::key, 10_000, 64, tmp)) {
      for (long id = 0; id < 30_000; id++) {
        rows.add(row(id));
      }
      assertThat(rows.slices()).isEqualTo(3);
      long read = 0;
      for (int s = 0; s < 3; s++) {
        List<String> slice = slice(rows, s);
        read += slice.size();
        assertThat(slice.size()).isBetween(8_000, 12_000);
        long last = -1;
        for (String r : slice) {
          long at = Long.parseLong(r.substring(0, r.indexOf(':')));
          assertThat(at).isGreaterThan(last); // merged from its buckets in the window's order
          last = at;
          assertThat(StagedRows.bucket(Versions.keyText(List.of(at)), 64) % 3).isEqualTo(s);
        }
      }
      assertThat(read).isEqualTo(30_000);
    }
  }

  @Test
  void rowsWithoutAKeyStayInMemory() {
    try (StagedRows rows = new StagedRows(null, 0, 4, tmp)) {
      rows.add(row(1));
      rows.add(row(2));
      assertThat(rows.spilled()).isFalse();
      assertThat(rows.inMemory()).hasSize(2);
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
    try (StagedRows rows = new StagedRows(StagedRowsTest::key, 0, 2, tmp)) {
      rows.add(row(1));
      assertThat(left).doesNotExist();
      assertThat(mine).exists();
      assertThat(other).exists();
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> new StagedRows(StagedRowsTest::key, -1, 4, tmp))
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
