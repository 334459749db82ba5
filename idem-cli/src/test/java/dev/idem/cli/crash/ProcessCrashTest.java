package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.idem.cli.OrdersPipeline;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.HaltAt;
import dev.idem.fault.PauseAt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a real {@code idem} process in the middle of a backfill (SIGKILL, and Runtime.halt at every
 * fault point), runs the backfill again, and compares the table by a content hash with one clean
 * run. Also: a second process waits for the DuckDB file, then fails naming the holder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessCrashTest {
  private static final int DAYS = 12;
  private static final int ROWS_PER_DAY = 10_000; // 120k rows: enough for a kill to land mid-COPY
  private static final String FROM = "2024-01-01";
  private static final String TO = "2024-01-12";

  @TempDir static Path shared;
  private String cleanHash;
  private long cleanMillis;

  @BeforeAll
  void generateInputAndCleanRun() throws Exception {
    // ids repeat across days: later days correct earlier ones; about 1% exact duplicates
    OrdersCsv.write(
        shared.resolve("input"), 42, LocalDate.parse(FROM), DAYS, ROWS_PER_DAY, "c", 500, 100);
    Path clean = workspace("clean");
    long start = System.nanoTime();
    ChildIdem.Result r =
        ChildIdem.run(clean, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO);
    assertThat(r.exit()).as(r.stderr()).isZero();
    cleanMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    cleanHash = contentHash(clean.resolve("crash.duckdb"));
  }

  private Path workspace(String name) throws Exception {
    Path dir = Files.createDirectories(shared.resolve(name));
    String input =
        shared.resolve("input").toAbsolutePath().toString().replace("\\", "/") + "/orders-*.csv";
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        OrdersPipeline.yaml("crash", input, "ingested_at", "jdbc:duckdb:crash.duckdb", ""));
    return dir;
  }

  /** SHA-256 over the sorted rows of the target table: equal hashes, equal tables. */
  static String contentHash(Path db) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM orders ORDER BY ALL")) {
      ResultSetMetaData md2 = rs.getMetaData();
      long rows = 0;
      while (rs.next()) {
        rows++;
        for (int i = 1; i <= md2.getColumnCount(); i++) {
          md.update(String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
        }
      }
      assertThat(rows).isPositive();
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private void rerunAndCompare(Path dir) throws Exception {
    ChildIdem.Result retry =
        ChildIdem.run(dir, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO);
    assertThat(retry.exit()).as(retry.stderr()).isZero();
    assertThat(contentHash(dir.resolve("crash.duckdb"))).isEqualTo(cleanHash);
    ChildIdem.Result again =
        ChildIdem.run(dir, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO);
    assertThat(again.exit()).isZero();
    assertThat(again.stdout()).contains(DAYS + " unchanged");
  }

  @Test
  void sigkillMidBackfillThenRerunEqualsACleanRun() throws Exception {
    Random random = new Random(7);
    for (int trial = 0; trial < 3; trial++) {
      // somewhere between JVM start-up and the end of the backfill, as measured by the clean run;
      // on a busy machine a run can be faster than the clean one was: then start over with half the
      // delay
      long delay = cleanMillis / 5 + random.nextInt((int) (cleanMillis * 3 / 5));
      boolean killed = false;
      for (int attempt = 0; attempt < 5 && !killed; attempt++, delay /= 2) {
        Path dir = workspace("kill-" + trial + "-" + attempt);
        Process p =
            ChildIdem.start(
                dir, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO);
        if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly(); // SIGKILL on Linux
          p.waitFor();
          killed = true;
          rerunAndCompare(dir);
        }
      }
      assertThat(killed).as("trial %d: no attempt was still running when killed", trial).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(FaultPoint.class)
  void haltAtEveryFaultPointThenRerunEqualsACleanRun(FaultPoint point) throws Exception {
    Path dir = workspace("halt-" + point.name().toLowerCase(Locale.ROOT));
    ChildIdem.Result halted =
        ChildIdem.run(
            dir,
            List.of(
                "-D"
                    + HaltAt.PROPERTY
                    + "="
                    + point.name().toLowerCase(Locale.ROOT)
                    + ":2024-01-05"),
            "backfill",
            "pipeline.yaml",
            "--from",
            FROM,
            "--to",
            TO);
    assertThat(halted.exit()).as(halted.stderr()).isEqualTo(HaltAt.STATUS);
    assertThat(halted.stderr()).contains("halting at " + point);
    rerunAndCompare(dir);
  }

  @Test
  void aSecondProcessWaitsForTheFileThenNamesTheHolder() throws Exception {
    Path dir = workspace("locked");
    try (Connection holder =
        DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("crash.duckdb"))) {
      long start = System.nanoTime();
      ChildIdem.Result r =
          ChildIdem.run(
              dir,
              List.of(),
              "run",
              "pipeline.yaml",
              "--window",
              "2024-01-01",
              "--lock-timeout",
              "2s");
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(r.exit()).isNotZero();
      assertThat(waitedMs).isGreaterThanOrEqualTo(2000);
      assertThat(r.stderr().strip().lines()).hasSize(1);
      assertThat(r.stderr())
          .contains("crash.duckdb")
          .contains("held by")
          .contains("PID " + ProcessHandle.current().pid());
    }
  }

  /**
   * SIGTERM (a scheduler's timeout) and SIGINT (Ctrl-C) in the middle of a window: that window
   * commits, no other starts, the summary is printed, the exit status is the signal's, no window is
   * left running, and a plain re-run loads the rest and equals a clean run.
   */
  @ParameterizedTest
  @CsvSource({"TERM, 143", "INT, 130"})
  void aSignalStopsTheBackfillAfterTheWindowInProgress(String signal, int status) throws Exception {
    // a process started with a signal ignored (a background job of a shell without job control
    // ignores SIGINT) passes that on,
    // and the JVM then installs no handler for it: nothing to test there
    assumeFalse(
        ignored(signal), "SIG" + signal + " is ignored by this process, hence by the child");
    Path dir = workspace("signal-" + signal);
    Process p =
        ChildIdem.start(
            dir,
            List.of("-D" + PauseAt.PROPERTY + "=after_staging:2024-01-03"),
            "backfill",
            "pipeline.yaml",
            "--from",
            FROM,
            "--to",
            TO);
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  Files.readString(dir.resolve("child.err"), StandardCharsets.UTF_8)
                      .contains("pausing"));
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
      assertThat(kill.waitFor()).isZero();
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("stopped after SIG%s", signal).isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(dir.resolve("child.out"), StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as("exit status; stdout %s; stderr %s", out, Files.readString(dir.resolve("child.err")))
        .isEqualTo(status);
    assertThat(out)
        .contains("12 windows: 3 loaded, 0 unchanged, 0 failed, 9 not started (stop requested)");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("crash.duckdb"));
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT window_id || ' ' || status FROM _idem.windows ORDER BY window_id")) {
      List<String> ledger = new ArrayList<>();
      while (rs.next()) {
        ledger.add(rs.getString(1));
      }
      assertThat(ledger).containsExactly("2024-01-01 DONE", "2024-01-02 DONE", "2024-01-03 DONE");
    }
    rerunAndCompare(dir);
  }

  /**
   * Whether this process ignores the signal (SigIgn in /proc/self/status), as its children then do.
   */
  private static boolean ignored(String signal) throws Exception {
    int number = signal.equals("INT") ? 2 : 15;
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16)
                & (1L << (number - 1)))
            != 0;
      }
    }
    return false;
  }
}
