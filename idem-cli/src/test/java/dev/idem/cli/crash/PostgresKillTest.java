package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.cli.OrdersPipeline;
import dev.idem.context.RunServices;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.HaltAt;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real {@code idem} child process during a backfill into PostgreSQL, many times
 * (seeded): {@code Runtime.halt} at a chosen fault point and window (mid-COPY, right after a
 * commit, and the other points), and SIGKILL at a random moment. After each kill the backfill is
 * run again once, as a scheduler would retry it: a plain {@code idem backfill} with the default
 * 10-minute lease, which must take the dead runner's windows over at once (its presence lock died
 * with its connections), exit 0 and report every window done; the table must then equal one clean
 * run's, hold no duplicate key, and every window's ledger counts must balance. Trials: {@code
 * -Didem.chaos.trials=N} (default 20), seed {@code -Didem.chaos.seed=S}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresKillTest {
  private static final int DAYS = 6;
  private static final int ROWS_PER_DAY = 3_000;
  private static final String FROM = "2024-01-01";
  private static final String TO = "2024-01-06";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  private List<String> cleanRows;
  private long cleanMillis;

  @BeforeAll
  void generateInputAndCleanRun() throws Exception {
    OrdersCsv.write(
        shared.resolve("input"), 11, LocalDate.parse(FROM), DAYS, ROWS_PER_DAY, "c'", 300, 50);
    Path clean = workspace("clean");
    long start = System.nanoTime();
    ChildIdem.Result r = ChildIdem.run(clean, List.of(), backfill());
    assertThat(r.exit()).as(r.stderr()).isZero();
    cleanMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    cleanRows = rows(clean);
    assertThat(cleanRows).isNotEmpty();
  }

  @Test
  void killedAtRandomThenRetriedEqualsACleanRun() throws Exception {
    int trials = Integer.getInteger("idem.chaos.trials", 20);
    long seed = Long.getLong("idem.chaos.seed", 20261123L);
    Random random = new Random(seed);
    List<FaultPoint> others =
        List.of(
            FaultPoint.AFTER_CLAIM,
            FaultPoint.AFTER_STAGING,
            FaultPoint.BEFORE_COMMIT,
            FaultPoint.BETWEEN_WINDOWS);
    Map<FaultPoint, Integer> halted = new EnumMap<>(FaultPoint.class);
    int sigkills = 0;
    List<String> log = new ArrayList<>();
    for (int trial = 0; trial < trials; trial++) {
      Path dir = workspace("trial-" + trial);
      String window = LocalDate.parse(FROM).plusDays(random.nextInt(DAYS)).toString();
      String where;
      int mode = trial % 5;
      if (mode == 4 && (trial / 5) % 2 == 0) {
        Process p = ChildIdem.start(dir, List.of(), backfill());
        long delay = cleanMillis / 4 + random.nextInt((int) Math.max(1, cleanMillis / 2));
        if (p.waitFor(delay, TimeUnit.MILLISECONDS)) {
          where = "SIGKILL after " + delay + " ms: the backfill had already finished";
        } else {
          p.destroyForcibly(); // SIGKILL on Linux
          p.waitFor();
          where = "SIGKILL after " + delay + " ms: " + ledgerSummary(dir);
          sigkills++;
        }
      } else {
        FaultPoint point =
            mode <= 1
                ? FaultPoint.MID_STAGING
                : mode <= 3 ? FaultPoint.AFTER_COMMIT : others.get(random.nextInt(others.size()));
        String spec = point.name().toLowerCase(Locale.ROOT) + ":" + window;
        ChildIdem.Result r =
            ChildIdem.run(dir, List.of("-D" + HaltAt.PROPERTY + "=" + spec), backfill());
        assertThat(r.exit())
            .as("trial %d halting at %s: %s", trial, spec, r.stderr())
            .isEqualTo(HaltAt.STATUS);
        halted.merge(point, 1, Integer::sum);
        where = "halt at " + spec + ": " + ledgerSummary(dir);
      }
      log.add("trial " + trial + ": " + where);
      retryOnce(dir, trial, where);
      assertThat(rows(dir))
          .as("trial %d (%s): table after retry", trial, where)
          .isEqualTo(cleanRows);
      assertInvariants(dir, trial, where);
    }
    System.out.println(
        "PostgresKillTest seed "
            + seed
            + ", "
            + trials
            + " trials: "
            + halted
            + ", SIGKILL at random "
            + sigkills);
    log.forEach(System.out::println);
    if (trials >= 20) { // 2 in 5 mid-COPY, 2 in 5 right after a commit, 1 in 10 at random
      assertThat(halted.getOrDefault(FaultPoint.MID_STAGING, 0))
          .as("trials killed mid-COPY")
          .isGreaterThanOrEqualTo(trials * 2 / 5);
      assertThat(halted.getOrDefault(FaultPoint.AFTER_COMMIT, 0))
          .as("trials killed right after a commit")
          .isGreaterThanOrEqualTo(trials * 2 / 5);
    }
    if (trials >= 30) { // three SIGKILLs, at least one before the backfill ends
      assertThat(sigkills).as("trials killed by SIGKILL at a random moment").isPositive();
    }
  }

  /**
   * Runs the backfill again once, as a scheduler retries: every window must end done, none held by
   * the dead runner.
   */
  private void retryOnce(Path dir, int trial, String where) throws Exception {
    ChildIdem.Result r = ChildIdem.run(dir, List.of(), backfillJson());
    assertThat(r.exit())
        .as("trial %d (%s) retry: %s %s", trial, where, r.stdout(), r.stderr())
        .isZero();
    JsonNode summary = JSON.readTree(r.stdout()).get("summary");
    assertThat(summary.get("held").asLong())
        .as("trial %d (%s): windows held after the retry: %s", trial, where, r.stdout())
        .isZero();
    assertThat(summary.get("failed").asLong())
        .as("trial %d (%s): windows failed in the retry: %s", trial, where, r.stdout())
        .isZero();
  }

  /**
   * Two processes started together on one backfill split its windows; each waits for the windows
   * the other holds (--lock-timeout) and exits 0 once every window is done, by it or by the other.
   */
  @Test
  void twoProcessesSharingABackfillBothExitZeroOnceEveryWindowIsDone() throws Exception {
    Path dir = workspace("shared");
    Path second = Files.createDirectories(dir.resolve("second"));
    Files.copy(dir.resolve("pipeline.yaml"), second.resolve("pipeline.yaml"));
    Process a = ChildIdem.start(dir, List.of(), backfillJsonWaiting());
    Process b = ChildIdem.start(second, List.of(), backfillJsonWaiting());
    assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
    long loaded = 0;
    for (Path d : List.of(dir, second)) {
      String out = Files.readString(d.resolve("child.out"));
      JsonNode summary = JSON.readTree(out).get("summary");
      assertThat(summary.get("held").asLong() + summary.get("failed").asLong())
          .as(out + Files.readString(d.resolve("child.err")))
          .isZero();
      assertThat(
              summary.get("loaded").asLong()
                  + summary.get("unchanged").asLong()
                  + summary.get("done_elsewhere").asLong())
          .isEqualTo(DAYS);
      loaded += summary.get("loaded").asLong();
    }
    assertThat(a.exitValue()).isZero();
    assertThat(b.exitValue()).isZero();
    assertThat(loaded)
        .as("windows loaded by the two processes together: each once")
        .isEqualTo(DAYS);
    assertThat(rows(dir)).isEqualTo(cleanRows);
    assertInvariants(dir, 0, "shared backfill");
  }

  private static String[] backfillJsonWaiting() {
    return new String[] {
      "backfill",
      "pipeline.yaml",
      "--from",
      FROM,
      "--to",
      TO,
      "--output",
      "json",
      "--lock-timeout",
      "60s"
    };
  }

  private void assertInvariants(Path dir, int trial, String where) {
    try (JdbcDestination d = open(dir)) {
      List<String> keys = d.tableRows("(SELECT order_id FROM orders)");
      assertThat(keys).as("trial %d (%s): duplicate keys", trial, where).doesNotHaveDuplicates();
      List<WindowState> states = d.ledger().states("kill");
      assertThat(states)
          .as("trial %d", trial)
          .hasSize(DAYS)
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(WindowStatus.DONE))
          .allSatisfy(
              s ->
                  assertThat(s.counts().balanced())
                      .as("trial %d window %s counts %s", trial, s.windowId(), s.counts())
                      .isTrue());
    }
  }

  private String ledgerSummary(Path dir) {
    try (JdbcDestination d = open(dir)) {
      if (d.tableRows("(SELECT 1 FROM pg_namespace WHERE nspname = '_idem')").isEmpty()) {
        return "killed before the ledger was created";
      }
      List<WindowState> states = d.ledger().states("kill");
      long done = states.stream().filter(s -> s.status() == WindowStatus.DONE).count();
      List<String> running =
          states.stream()
              .filter(s -> s.status() == WindowStatus.RUNNING)
              .map(WindowState::windowId)
              .toList();
      return done + " windows committed, running " + running;
    }
  }

  private static String[] backfill() {
    return new String[] {"backfill", "pipeline.yaml", "--from", FROM, "--to", TO};
  }

  private static String[] backfillJson() {
    // no wait for held windows: the dead runner's must be taken over at once, not after a wait
    return new String[] {
      "backfill",
      "pipeline.yaml",
      "--from",
      FROM,
      "--to",
      TO,
      "--output",
      "json",
      "--lock-timeout",
      "0s"
    };
  }

  private static List<String> rows(Path dir) {
    try (JdbcDestination d = open(dir)) {
      return d.tableRows("orders");
    }
  }

  private static JdbcDestination open(Path dir) {
    try {
      return JdbcDestination.open(
          Files.readString(dir.resolve("url")),
          new Properties(),
          RunServices.defaults(),
          Duration.ZERO);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path workspace(String name) throws Exception {
    Path dir = Files.createDirectories(shared.resolve(name));
    String url = EmbeddedPostgresServer.newDatabase();
    Files.writeString(dir.resolve("url"), url);
    String input =
        shared.resolve("input").toAbsolutePath().toString().replace("\\", "/") + "/orders-*.csv";
    Files.writeString(
        dir.resolve("pipeline.yaml"),
        OrdersPipeline.yaml("kill", input, "ingested_at", "\"" + url + "\"", ""));
    return dir;
  }
}
