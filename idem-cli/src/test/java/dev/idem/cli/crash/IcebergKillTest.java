package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.iceberg.IcebergDestination;
import dev.idem.iceberg.IcebergSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a real {@code idem backfill} into an Iceberg table of a local warehouse (embedded SQLite
 * catalog) at a random moment, runs the backfill again, and compares the table, read back with
 * Iceberg's generic reader, with one clean run by a content hash; a third run finds every window
 * unchanged. {@code -Didem.iceberg.trials=N} sets the number of kills (default 3; the closing note
 * of issue 15 reports a 50-trial run).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IcebergKillTest {
  private static final int DAYS = 8;
  private static final int ROWS_PER_DAY = 2_000;
  private static final String FROM = "2024-01-01";
  private static final String TO = "2024-01-08";
  private static final int TRIALS = Integer.getInteger("idem.iceberg.trials", 3);

  @TempDir static Path shared;
  private String cleanHash;
  private long cleanMillis;

  @BeforeAll
  void generateInputAndCleanRun() throws Exception {
    OrdersCsv.write(
        shared.resolve("input"), 42, LocalDate.parse(FROM), DAYS, ROWS_PER_DAY, "c", 500, 100);
    Path clean = workspace("clean");
    long start = System.nanoTime();
    ChildIdem.Result r = backfill(clean);
    assertThat(r.exit()).as(r.stderr()).isZero();
    cleanMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    cleanHash = contentHash(clean);
  }

  private static ChildIdem.Result backfill(Path dir) throws Exception {
    return ChildIdem.run(
        dir, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO, "-q");
  }

  private Path workspace(String name) throws Exception {
    Path dir = Files.createDirectories(shared.resolve(name));
    String input =
        shared.resolve("input").toAbsolutePath().toString().replace("\\", "/") + "/orders-*.csv";
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: lake",
            "source: {type: csv, path: '" + input + "'}",
            "columns: {order_id: integer, customer: string, amount: 'decimal(12,2)',"
                + " ingested_at: timestamp}",
            "windows: {kind: day, column: ingested_at}",
            "target: {table: orders, key: [order_id], strategy: merge, order_by: ingested_at}",
            "destination: {type: iceberg, warehouse: warehouse}",
            ""));
    return dir;
  }

  /** SHA-256 over the table's sorted rows, read with Iceberg's own generic reader. */
  private static String contentHash(Path dir) throws Exception {
    List<String> rows;
    try (IcebergDestination d =
        new IcebergDestination(
            IcebergSettings.local(dir.resolve("warehouse"), "idem"), RunServices.defaults())) {
      rows = d.tableRows("orders");
    }
    assertThat(rows).isNotEmpty();
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (String row : rows) {
      md.update(row.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void sigkillMidBackfillThenRerunEqualsACleanRun() throws Exception {
    Random random = new Random(11);
    int killed = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      // between JVM start-up and the end of the backfill, as the clean run measured it; when the
      // run ended first (a quieter moment), the trial starts over with half the delay
      long delay = cleanMillis / 5 + random.nextInt((int) Math.max(1, cleanMillis * 3 / 5));
      boolean done = false;
      for (int attempt = 0; attempt < 5 && !done; attempt++, delay /= 2) {
        Path dir = workspace("kill-" + trial + "-" + attempt);
        Process p =
            ChildIdem.start(
                dir, List.of(), "backfill", "pipeline.yaml", "--from", FROM, "--to", TO, "-q");
        if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly(); // SIGKILL on Linux
          p.waitFor();
          done = true;
          killed++;
          ChildIdem.Result retry = backfill(dir);
          assertThat(retry.exit()).as("trial %d: %s", trial, retry.stderr()).isZero();
          assertThat(contentHash(dir)).as("trial %d", trial).isEqualTo(cleanHash);
          ChildIdem.Result again = backfill(dir);
          assertThat(again.exit()).as(again.stderr()).isZero();
        }
      }
      assertThat(done).as("trial %d: no attempt was still running when killed", trial).isTrue();
    }
    assertThat(killed).isEqualTo(TRIALS);
  }
}
