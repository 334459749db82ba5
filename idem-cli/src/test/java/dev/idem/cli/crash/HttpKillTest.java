package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.testkit.http.ApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
            "  concurrency: 8",
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
    int lostAcks = 0;
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
        // the ledger as the kill left it: a window recorded done has every request acknowledged
        // (the window's commit waits for the responses recorded without waiting); a request whose
        // effect the API has but the ledger still calls sent lost its response's record in the kill
        Ledger killed = ledger(w, api.effects().keySet());
        assertThat(killed.unackedInDoneWindows()).as(how).isZero();
        lostAcks += killed.effectButSent();
        how +=
            ", ledger: "
                + killed.acked()
                + " acked, "
                + killed.sent()
                + " sent of which "
                + killed.effectButSent()
                + " had their effect";
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
            + " unknowns listed, "
            + lostAcks
            + " requests whose effect happened but whose response was lost in the kill):\n  "
            + String.join("\n  ", log));
  }

  /** Phase counts of the sent-request ledger a killed run left. */
  private record Ledger(int acked, int sent, int effectButSent, int unackedInDoneWindows) {}

  private static Ledger ledger(Path w, Set<String> effects) throws Exception {
    Path file;
    try (var files = Files.list(w)) {
      file = files.filter(f -> f.toString().endsWith(".duckdb")).findFirst().orElse(null);
    }
    if (file == null) {
      return new Ledger(0, 0, 0, 0); // killed before the ledger was created
    }
    int acked = 0;
    int sent = 0;
    int effectButSent = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT phase, url FROM _idem.http_requests")) {
        while (rs.next()) {
          if (rs.getString(1).equals("acked")) {
            acked++;
          } else if (rs.getString(1).equals("sent")) {
            sent++;
            Matcher m = REF.matcher(rs.getString(2));
            if (m.find() && effects.contains(m.group(1))) {
              effectButSent++;
            }
          }
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM _idem.http_requests r JOIN _idem.windows w ON w.pipeline ="
                  + " r.pipeline AND w.window_id = r.window_id WHERE w.status = 'DONE' AND r.phase"
                  + " <> 'acked'")) {
        rs.next();
        return new Ledger(acked, sent, effectButSent, rs.getInt(1));
      }
    }
  }
}
