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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code idem run} with SIGKILL while it sends a window's requests to an HTTP API
 * (after a seeded number of requests reached the server), then runs it again: with a Stripe-like
 * keyed API every row's effect happens exactly once; without keys and with a lookup, exactly once;
 * without keys and {@code recovery: hold}, at most once, and every row without an acknowledged
 * effect is listed by {@code idem doctor} as a request of unknown outcome. Trials rotate over the
 * three modes; {@code -Didem.httpkill.trials=50} for the long run (docs/http-destination.md).
 */
class HttpKillTest {
  private static final int TRIALS = Integer.getInteger("idem.httpkill.trials", 3);
  private static final long SEED = Long.getLong("idem.httpkill.seed", 1717L);
  private static final int DAYS = 2;
  private static final int PER_DAY = 40;
  private static final int ROWS = DAYS * PER_DAY;
  private static final Pattern REF = Pattern.compile("ref=(\\d+)");

  private enum Mode {
    KEYED,
    LOOKUP,
    HOLD
  }

  @TempDir Path dir;

  private Path work(int trial, Mode mode, String url) throws Exception {
    Path w = Files.createDirectories(dir.resolve("trial-" + trial));
    StringBuilder csv = new StringBuilder("id,user,at\n");
    for (int day = 0; day < DAYS; day++) {
      for (int i = 0; i < PER_DAY; i++) {
        int id = day * PER_DAY + i + 1;
        csv.append(id)
            .append(",u")
            .append(id)
            .append(",2024-05-0")
            .append(day + 1)
            .append("T10:00:00\n");
      }
    }
    Files.writeString(w.resolve("events.csv"), csv, StandardCharsets.UTF_8);
    String idempotency =
        switch (mode) {
          case KEYED -> "{key: {hash: [id]}}";
          case LOOKUP -> "none\n  recovery: {lookup: {url: '" + url + "/{{id}}'}}";
          case HOLD -> "none\n  recovery: hold";
        };
    Files.writeString(
        w.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: kill",
            "source: {type: csv, path: events.csv}",
            "columns: {id: integer not null, user: string, at: timestamp not null}",
            "windows: {kind: day, column: at}",
            "target: {table: sent, key: [id], strategy: merge}",
            "destination:",
            "  type: http",
            "  request: {url: '" + url + "?ref={{id}}', body: {id: '{{id}}', user: '{{user}}'}}",
            "  idempotency: " + idempotency,
            "  concurrency: 4",
            "  timeout: 2s",
            ""),
        StandardCharsets.UTF_8);
    return w;
  }

  @Test
  void killedWhileSendingThenRunAgainEveryEffectHappensAsItsModePromises() throws Exception {
    Random random = new Random(SEED);
    List<String> log = new ArrayList<>();
    int unknownListed = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Mode mode = Mode.values()[trial % 3];
      try (ApiServer api =
          new ApiServer(
              mode == Mode.KEYED ? ApiServer.Kind.KEYED : ApiServer.Kind.KEYLESS, Duration.ZERO)) {
        api.latency(Duration.ofMillis(20));
        Path w = work(trial, mode, api.url());
        int after = 1 + random.nextInt(ROWS - 1);
        Process p = ChildIdem.start(w, List.of(), "run", "pipeline.yaml");
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> api.requests() >= after || !p.isAlive());
        p.destroyForcibly().waitFor();
        String how =
            mode + ": SIGKILL after " + api.requests() + " requests (target " + after + ")";
        ChildIdem.Result again = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
        Map<String, Integer> effects = api.effects();
        assertThat(effects.values()).as(how).allMatch(n -> n == 1);
        if (mode == Mode.HOLD) {
          ChildIdem.Result doctor = ChildIdem.run(w, List.of(), "doctor", "pipeline.yaml");
          Set<String> listed = new TreeSet<>();
          Matcher m = REF.matcher(doctor.stdout() + doctor.stderr());
          while (m.find()) {
            listed.add(m.group(1));
          }
          Set<String> missing = new TreeSet<>();
          for (int id = 1; id <= ROWS; id++) {
            if (!effects.containsKey(Integer.toString(id))) {
              missing.add(Integer.toString(id));
            }
          }
          assertThat(listed)
              .as(how + ": every row without an effect is listed")
              .containsAll(missing);
          assertThat(again.exit() == 0)
              .as(how + ": the run fails exactly when requests are held")
              .isEqualTo(listed.isEmpty());
          unknownListed += listed.size();
          how +=
              ", "
                  + listed.size()
                  + " unknown listed, "
                  + missing.size()
                  + " of them without effect";
        } else {
          assertThat(again.exit()).as(how + ": " + again.stderr()).isZero();
          assertThat(effects).as(how).hasSize(ROWS);
          if (mode == Mode.KEYED) {
            // that the run after the recovery sends nothing is checked on keyed trials only: each
            // child JVM's start is most of a trial's time
            int sent = api.requests();
            ChildIdem.Result third = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
            assertThat(third.exit()).as(third.stderr()).isZero();
            assertThat(api.requests()).as(how + ": an unchanged run sends nothing").isEqualTo(sent);
          }
        }
        log.add("trial " + trial + ": " + how);
      }
    }
    System.out.println(
        "HttpKillTest (seed "
            + SEED
            + ", "
            + TRIALS
            + " trials, "
            + unknownListed
            + " unknowns listed):\n  "
            + String.join("\n  ", log));
  }
}
