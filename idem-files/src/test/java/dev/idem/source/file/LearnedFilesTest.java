package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine's tasks (Spark's) hash and scan the input files, each on a source of its one file
 * ({@link FileSource#hashFile}, {@link FileSource#scanFile}), and the source of all files takes
 * what they found ({@link FileSource#learnHashes}, {@link FileSource#learnScans}) instead of
 * reading the files itself: its windows, fingerprints and records are then those of a source that
 * read every file itself, and it hashed and parsed none. What a task found of a file written since,
 * or a scan that failed, is not taken: the source reads the file itself and fails as it would have.
 */
class LearnedFilesTest {
  private static final Schema ORDERS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));
  private static final WindowSpec DAYS = WindowSpec.day("at", ZoneOffset.UTC);

  @TempDir Path dir;

  private static CsvSource all(Path dir, ScanCache cache) {
    return new CsvSource(new FileSet(dir, "*.csv"), ORDERS, CsvFormat.DEFAULT, cache);
  }

  private static CsvSource one(Path dir, String name) {
    return new CsvSource(new FileSet(dir, name), ORDERS, CsvFormat.DEFAULT, ScanCache.none());
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** What the engine does: hash the files the source does not know, then scan those it needs. */
  private static void learnByTasks(Path dir, CsvSource source, WindowSpec spec) throws IOException {
    learnByTasks(dir, source, spec, Long.MAX_VALUE);
  }

  /** As the engine does, scanning each file in parts of {@code bytes}. */
  private static void learnByTasks(Path dir, CsvSource source, WindowSpec spec, long bytes)
      throws IOException {
    List<FileSource.HashedFile> hashes = new ArrayList<>();
    for (String name : source.unhashedFiles()) {
      hashes.add(one(dir, name).hashFile());
    }
    assertThat(source.learnHashes(hashes)).isEqualTo(hashes.size());
    List<FileSource.ScannedFile> scans = new ArrayList<>();
    for (String name : source.unscannedFiles(spec)) {
      for (FilePart part : source.partsOf(name, bytes)) {
        scans.add(one(dir, name).scanFile(spec, part));
      }
    }
    source.learnScans(spec, scans);
  }

  @Test
  void whatTheTasksFoundIsTakenAndTheSourceReadsNoFileItself() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\nx,not a time\n");
    write("b.csv", "id,at\n3,2024-01-02 11:00:00\n");
    CsvSource learned = all(dir, ScanCache.none());
    assertThat(learned.unhashedFiles()).containsExactly("a.csv", "b.csv");
    learnByTasks(dir, learned, DAYS);
    assertThat(learned.unhashedFiles()).isEmpty();
    assertThat(learned.unscannedFiles(DAYS)).isEmpty();

    assertSameAsReadHere(dir, learned, DAYS);
    assertThat(learned.filesHashed()).isZero();
    assertThat(learned.filesScanned()).isZero();
  }

  @Test
  void aFileWrittenAfterItsTaskReadItIsNotTakenAndIsReadHere() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    CsvSource learned = all(dir, ScanCache.none());
    FileSource.HashedFile hash = one(dir, "a.csv").hashFile();
    FileSource.ScannedFile scan = one(dir, "a.csv").scanFile(DAYS, FilePart.WHOLE);
    write("a.csv", "id,at\n1,2024-01-05 10:00:00\n"); // same length
    // a time of its own, whatever the clock's grain: the file's stamp is not the one read
    Path f = dir.resolve("a.csv");
    Files.setLastModifiedTime(
        f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 60_000));
    assertThat(learned.learnHashes(List.of(hash))).isZero();
    assertThat(learned.learnScans(DAYS, List.of(scan))).isZero();
    assertThat(learned.unhashedFiles()).containsExactly("a.csv");

    assertThat(learned.windows(DAYS)).extracting(Window::id).containsExactly("2024-01-05");
    assertSameAsReadHere(dir, learned, DAYS);
    assertThat(learned.filesHashed()).isEqualTo(1);
    assertThat(learned.filesScanned()).isEqualTo(1);
  }

  @Test
  void aScanThatFailedIsNotTakenAndTheSourceFailsAsWithoutTasks() throws IOException {
    write("a.csv", "id,when\n1,2024-01-01 10:00:00\n"); // no window column
    CsvSource learned = all(dir, ScanCache.none());
    learnByTasks(dir, learned, DAYS);
    assertThat(learned.unscannedFiles(DAYS)).containsExactly("a.csv");
    assertThat(learned.filesHashed()).isZero();
    String here = failure(() -> all(dir, ScanCache.none()).windows(DAYS));
    assertThat(here).isEqualTo("a.csv:1: the input has no column 'at', the window column");
    assertThat(failure(() -> learned.windows(DAYS))).isEqualTo(here);
  }

  private static String failure(ThrowingCall call) {
    try {
      call.run();
    } catch (DataException | IOException e) {
      return e.getMessage();
    }
    throw new AssertionError("no failure");
  }

  private static boolean isFailure(ThrowingCall call) throws IOException {
    try {
      call.run();
      return false;
    } catch (DataException e) {
      return true;
    }
  }

  private interface ThrowingCall {
    void run() throws IOException;
  }

  /**
   * A part whose text ends inside a quoted field holding a line break stops there, and the next
   * starts inside that record: the parts' scans are not taken, and the source scans the file
   * itself.
   */
  @Test
  void aFileWhosePartStoppedBeforeItsLastIsScannedHere() throws IOException {
    String text =
        "id,at\n1,2024-01-01 10:00:00\n\"2\n\",2024-01-02 10:00:00\n3,2024-01-03 10:00:00\n";
    write("a.csv", text);
    CsvSource learned = all(dir, ScanCache.none());
    learnByTasks(dir, learned, DAYS, text.indexOf("2\n") + 2);
    assertThat(learned.unscannedFiles(DAYS)).containsExactly("a.csv");
    assertSameAsReadHere(dir, learned, DAYS);
    assertThat(learned.windows(DAYS))
        .extracting(Window::id)
        .containsExactly("2024-01-01", "2024-01-02", "2024-01-03");
    assertThat(learned.filesScanned()).isEqualTo(1);
    // in parts that end at records' ends the scans are taken
    CsvSource inParts = all(dir, ScanCache.none());
    learnByTasks(dir, inParts, DAYS, text.indexOf("3,"));
    assertThat(inParts.unscannedFiles(DAYS)).isEmpty();
    assertSameAsReadHere(dir, inParts, DAYS);
    assertThat(inParts.filesScanned()).isZero();
  }

  @Test
  void otherWindowKindsHashButScanNothing() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    write("b.csv", "id,at\n2,2024-01-02 10:00:00\n");
    CsvSource learned = all(dir, ScanCache.none());
    learnByTasks(dir, learned, WindowSpec.full());
    assertThat(learned.unscannedFiles(WindowSpec.full())).isEmpty();
    assertThat(
            learned.learnScans(
                WindowSpec.full(), List.of(one(dir, "a.csv").scanFile(DAYS, FilePart.WHOLE))))
        .isZero();
    assertSameAsReadHere(dir, learned, WindowSpec.full());
    assertThat(learned.filesHashed()).isZero();
    assertThatThrownBy(() -> learned.hashFile())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is not a source of one file");
  }

  @Test
  void aTakenScanGoesToTheScanCacheForTheNextProcess(@TempDir Path cacheDir) throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    learnByTasks(dir, all(dir, ScanCache.at(cacheDir)), DAYS);
    CsvSource next = all(dir, ScanCache.at(cacheDir));
    assertThat(next.unscannedFiles(DAYS)).isEmpty();
    assertThat(next.windows(DAYS)).extracting(Window::id).containsExactly("2024-01-01");
    assertThat(next.filesScanned()).isZero();
  }

  /**
   * Random files of rows of a few days, some rows without a readable time, some files without the
   * window column or empty, scanned in parts of a few bytes: the source that took the tasks' hashes
   * and scans gives the windows, fingerprints and records (or the failure) of a source that read
   * the files itself, and read none itself unless a scan failed.
   */
  @Property(tries = 40)
  void whatIsLearnedEqualsWhatIsReadHere(
      @ForAll("files") List<String> contents, @ForAll @LongRange(min = 1, max = 60) long bytes)
      throws IOException {
    Path root = Files.createTempDirectory("idem-learned");
    try {
      for (int i = 0; i < contents.size(); i++) {
        Files.writeString(root.resolve("f" + i + ".csv"), contents.get(i), StandardCharsets.UTF_8);
      }
      for (WindowSpec spec : List.of(DAYS, WindowSpec.hour("at", ZoneOffset.UTC))) {
        CsvSource learned = all(root, ScanCache.none());
        learnByTasks(root, learned, spec, bytes);
        boolean fails = isFailure(() -> all(root, ScanCache.none()).windows(spec));
        if (!fails) {
          assertThat(learned.unscannedFiles(spec)).isEmpty();
        }
        assertSameAsReadHere(root, learned, spec);
        assertThat(learned.filesHashed()).isZero();
        if (!fails) {
          assertThat(learned.filesScanned()).isZero();
        }
      }
    } finally {
      try (Stream<Path> files = Files.list(root)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(root);
    }
  }

  @Provide
  Arbitrary<List<String>> files() {
    Arbitrary<String> row =
        Arbitraries.of(
            "1,2024-01-01 10:00:00",
            "2,2024-01-01 23:59:59",
            "3,2024-01-02 00:00:00",
            "4,2024-01-03 12:30:00",
            "5,not a time",
            "6,",
            "x,2024-01-02 08:00:00");
    Arbitrary<String> file =
        row.list()
            .ofMaxSize(6)
            .map(rows -> "id,at\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n"));
    Arbitrary<String> odd = Arbitraries.of("", "id,when\n1,2024-01-01 10:00:00\n", "id,at\n");
    return Arbitraries.frequencyOf(Tuple.of(6, file), Tuple.of(1, odd))
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  /**
   * The learned source's windows, each window's fingerprint and records, equal those of a source
   * that reads every file itself; or both fail alike.
   */
  private static void assertSameAsReadHere(Path dir, CsvSource learned, WindowSpec spec)
      throws IOException {
    CsvSource here = all(dir, ScanCache.none());
    List<Window> windows;
    try {
      windows = here.windows(spec);
    } catch (DataException e) {
      assertThat(failure(() -> learned.windows(spec))).isEqualTo(e.getMessage());
      return;
    }
    assertThat(learned.windows(spec)).isEqualTo(here.windows(spec));
    for (Window w : windows) {
      assertThat(learned.fingerprint(spec, w)).isEqualTo(here.fingerprint(spec, w));
      assertThat(learned.inputFiles(spec, w, 1 << 20)).isEqualTo(here.inputFiles(spec, w, 1 << 20));
      assertThat(texts(CsvSourceTest.readAll(learned, spec, w)))
          .isEqualTo(texts(CsvSourceTest.readAll(here, spec, w)));
    }
  }

  private static List<String> texts(List<SourceRecord> records) {
    return records.stream()
        .map(r -> r.position() + " " + Arrays.toString(r.values()) + " " + r.problem())
        .toList();
  }
}
