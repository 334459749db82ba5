package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.testkit.http.ApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code idem run} of a pipeline with a {@code notify:} hook with SIGKILL, after a
 * seeded number of its windows committed (its stderr's window lines) or of its hooks reached the
 * API (a Stripe-like keyed server answering slowly), then runs it again: every window's
 * notification reached the API exactly once, and a third run sends nothing. {@code
 * -Didem.notifykill.trials=50} for the long run (docs/http-destination.md).
 */
class NotifyKillTest {
  private static final int TRIALS = Integer.getInteger("idem.notifykill.trials", 2);
  private static final long SEED = Long.getLong("idem.notifykill.seed", 1717L);
  private static final int DAYS = 5;

  @TempDir Path dir;

  private Path work(int trial, String url) throws Exception {
    Path w = Files.createDirectories(dir.resolve("trial-" + trial));
    for (int day = 1; day <= DAYS; day++) {
      StringBuilder csv = new StringBuilder("id,at\n");
      for (int i = 0; i < 50; i++) {
        csv.append(day * 100 + i).append(",2024-05-0").append(day).append("T10:00:00\n");
      }
      Files.writeString(w.resolve("events-" + day + ".csv"), csv, StandardCharsets.UTF_8);
    }
    Files.writeString(
        w.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: kill",
            "source: {type: csv, path: events-*.csv}",
            "columns: {id: integer not null, at: timestamp not null}",
            "windows: {kind: day, column: at}",
            "target: {table: events, key: [id], strategy: merge}",
            "notify:",
            "  - {url: '" + url + "', body: {id: '{{window}}', n: '{{inserted}}'}, timeout: 2s}",
            ""),
        StandardCharsets.UTF_8);
    return w;
  }

  private static long windowLines(Path w) throws Exception {
    Path err = w.resolve("child.err");
    return Files.exists(err)
        ? Files.readAllLines(err).stream().filter(l -> l.contains("] window ")).count()
        : 0;
  }

  @Test
  void killedAnywhereThenRunAgainEveryWindowIsNotifiedExactlyOnce() throws Exception {
    Random random = new Random(SEED);
    List<String> log = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ZERO)) {
        api.latency(Duration.ofMillis(150));
        Path w = work(trial, api.url());
        boolean byWindows = random.nextBoolean();
        int after = byWindows ? 1 + random.nextInt(DAYS) : 1 + random.nextInt(DAYS - 1);
        Process p = ChildIdem.start(w, List.of(), "run", "pipeline.yaml", "--progress", "plain");
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> (byWindows ? windowLines(w) : api.requests()) >= after || !p.isAlive());
        p.destroyForcibly().waitFor();
        String how =
            "SIGKILL after "
                + windowLines(w)
                + " windows and "
                + api.requests()
                + " hooks (target "
                + after
                + (byWindows ? " windows)" : " hooks)");
        ChildIdem.Result again = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
        assertThat(again.exit()).as(how + ": " + again.stderr()).isZero();
        Map<String, Integer> expected = new TreeMap<>();
        for (int day = 1; day <= DAYS; day++) {
          expected.put("2024-05-0" + day, 1);
        }
        assertThat(api.effects()).as(how).isEqualTo(expected);
        int sent = api.requests();
        ChildIdem.Result third = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
        assertThat(third.exit()).as(third.stderr()).isZero();
        assertThat(api.requests()).as(how + ": an unchanged run sends nothing").isEqualTo(sent);
        log.add("trial " + trial + ": " + how + ", " + sent + " requests in all");
      }
    }
    System.out.println(
        "NotifyKillTest (seed "
            + SEED
            + ", "
            + TRIALS
            + " trials):\n  "
            + String.join("\n  ", log));
  }
}
