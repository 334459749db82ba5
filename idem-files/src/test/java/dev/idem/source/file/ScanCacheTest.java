package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan cache: a second process (here a second source) learns a file's windows from the cache,
 * not by parsing it; changed bytes are scanned again whatever the file's size and times; a broken
 * entry is a miss; other scan rules are other entries.
 */
class ScanCacheTest {
  private static final Schema ORDERS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));
  private static final WindowSpec DAYS = WindowSpec.day("at", ZoneOffset.UTC);

  @TempDir Path dir;
  @TempDir Path cacheDir;

  private CsvSource source(ScanCache cache) {
    return new CsvSource(new FileSet(dir, "*.csv"), ORDERS, CsvFormat.DEFAULT, cache);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static List<String> ids(CsvSource source, WindowSpec spec) throws IOException {
    return source.windows(spec).stream().map(Window::id).toList();
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> s = Files.walk(cacheDir)) {
      return s.filter(p -> p.toString().endsWith(".scan")).toList();
    }
  }

  @Test
  void aSecondSourceTakesTheWindowsFromTheCacheWithoutParsing() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\n");
    ScanCache cache = ScanCache.at(cacheDir);
    assertThat(ids(source(cache), DAYS)).containsExactly("2024-01-01", "2024-01-02");
    List<Path> entries = entries();
    assertThat(entries).hasSize(1);

    // an entry that says otherwise is believed: the file was not parsed
    Files.write(
        entries.get(0),
        List.of("idem-scan " + ScanCache.FORMAT, "unassigned 0", "2030-05-05", "end"),
        StandardCharsets.UTF_8);
    assertThat(ids(source(cache), DAYS)).containsExactly("2030-05-05");
    // without the cache, the same file is parsed
    assertThat(ids(source(ScanCache.none()), DAYS)).containsExactly("2024-01-01", "2024-01-02");
  }

  @Test
  void changedBytesWithTheSameSizeAndTimeAreScannedAgain() throws IOException {
    Path f = write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    FileTime time = Files.getLastModifiedTime(f);
    ScanCache cache = ScanCache.at(cacheDir);
    assertThat(ids(source(cache), DAYS)).containsExactly("2024-01-01");

    write("a.csv", "id,at\n1,2024-01-09 10:00:00\n"); // same length
    Files.setLastModifiedTime(f, time);
    CsvSource again = source(cache);
    assertThat(ids(again, DAYS)).containsExactly("2024-01-09");
    assertThat(CsvSourceTest.readAll(again, DAYS, DAYS.window("2024-01-09")))
        .extracting(SourceRecord::position)
        .containsExactly("a.csv:2");
  }

  @Test
  void theSameSourceSeesAFileRewrittenInPlace() throws IOException {
    Path f = write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    FileTime time = Files.getLastModifiedTime(f);
    CsvSource one = source(ScanCache.none());
    assertThat(ids(one, DAYS)).containsExactly("2024-01-01");
    String before = one.fingerprint(DAYS, DAYS.window("2024-01-01")).orElseThrow();

    write("a.csv", "id,at\n2,2024-01-01 10:00:00\n");
    Files.setLastModifiedTime(f, time);
    assertThat(one.fingerprint(DAYS, DAYS.window("2024-01-01")).orElseThrow())
        .as("the status-change time moved, so the file is hashed again")
        .isNotEqualTo(before);
  }

  @Test
  void aBrokenEntryIsAMissAndIsWrittenAgain() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 10:00:00\n");
    ScanCache cache = ScanCache.at(cacheDir);
    ids(source(cache), DAYS);
    Path entry = entries().get(0);
    for (List<String> broken :
        List.<List<String>>of(
            List.of("idem-scan " + ScanCache.FORMAT, "unassigned 0", "2030-05-05"), // no end
            List.of("idem-scan 0", "unassigned 0", "2030-05-05", "end"), // older rules
            List.of("idem-scan " + ScanCache.FORMAT, "unassigned x", "2030-05-05", "end"),
            List.of())) {
      Files.write(entry, broken, StandardCharsets.UTF_8);
      assertThat(ids(source(cache), DAYS)).as("%s", broken).containsExactly("2024-01-01");
      assertThat(Files.readAllLines(entry)).last().isEqualTo("end");
    }
  }

  @Test
  void otherScanRulesAreOtherEntries() throws IOException {
    write("a.csv", "id,at\n1,2024-01-01 23:30:00\n");
    ScanCache cache = ScanCache.at(cacheDir);
    assertThat(ids(source(cache), DAYS)).containsExactly("2024-01-01");
    WindowSpec hours = WindowSpec.hour("at", ZoneOffset.UTC);
    assertThat(ids(source(cache), hours)).containsExactly("2024-01-01T23Z");
    WindowSpec tokyo = WindowSpec.day("at", ZoneId.of("Asia/Tokyo"));
    assertThat(ids(source(cache), tokyo)).isEqualTo(ids(source(ScanCache.none()), tokyo));
    CsvSource nullMarker =
        new CsvSource(
            new FileSet(dir, "*.csv"),
            ORDERS,
            new CsvFormat(',', '"', true, "NULL", StandardCharsets.UTF_8),
            cache);
    assertThat(ids(nullMarker, DAYS)).containsExactly("2024-01-01");
    assertThat(entries()).hasSize(4);
  }

  @Test
  void aFileWithoutAWindowColumnIsNotRemembered() throws IOException {
    write("a.csv", "id,when\n1,2024-01-01 10:00:00\n");
    ScanCache cache = ScanCache.at(cacheDir);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> ids(source(cache), DAYS))
          .hasMessageContaining("a.csv:1: the input has no column 'at', the window column");
    }
    assertThat(entries()).isEmpty();
  }

  @Test
  void theEnvironmentChoosesTheDirectory() {
    assertThat(ScanCache.fromEnvironment(Map.of(ScanCache.ENV, "off")::get))
        .hasToString("no scan cache");
    assertThat(ScanCache.fromEnvironment(Map.of(ScanCache.ENV, "/tmp/x")::get))
        .hasToString("scan cache /tmp/x");
    assertThat(ScanCache.fromEnvironment(Map.of("XDG_CACHE_HOME", "/c", "HOME", "/h")::get))
        .hasToString("scan cache /c/idem/scans");
    assertThat(ScanCache.fromEnvironment(Map.of("HOME", "/h")::get))
        .hasToString("scan cache /h/.cache/idem/scans");
  }
}
