package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunServices;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.testkit.http.ApiServer;
import dev.idem.testkit.http.ApiServer.Fault;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code notify:} hooks end to end on DuckDB and PostgreSQL, against a real in-process API with
 * Stripe's key semantics ({@link ApiServer}, which counts one effect per body {@code id}): once per
 * window load, nothing for an unchanged re-run, again for a changed window, delivered by the next
 * run after a crash right after the commit, and on failure when asked.
 */
class NotifyCliTest {
  private static final String TOKEN = "hook-tok-51c0ffee";
  private static final Map<String, String> ENV = Map.of("HOOK_TOKEN", TOKEN);

  @TempDir Path dir;

  /** One file per day (a day's fingerprint is its file's), one row per entry of {@code days}. */
  private void input(String... days) throws Exception {
    Map<String, StringBuilder> files = new java.util.TreeMap<>();
    int id = 1;
    for (String day : days) {
      files
          .computeIfAbsent(day, d -> new StringBuilder("id,user,at\n"))
          .append(id++)
          .append(",u,")
          .append(day)
          .append("T10:00:00\n");
    }
    for (Map.Entry<String, StringBuilder> f : files.entrySet()) {
      Files.writeString(
          dir.resolve("events-" + f.getKey() + ".csv"), f.getValue(), StandardCharsets.UTF_8);
    }
  }

  private Path pipeline(String destination, String hookUrl, String on, String body)
      throws Exception {
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: hooks",
            "source: {type: csv, path: events-*.csv}",
            "columns: {id: integer not null, user: string, at: timestamp not null}",
            "windows: {kind: day, column: at}",
            "target: {table: events, key: [id], strategy: merge}",
            destination,
            "notify:",
            "  - url: " + hookUrl,
            "    headers: {Authorization: 'Bearer ${env:HOOK_TOKEN}'}",
            "    body: " + body,
            "    on: " + on,
            "    timeout: 1s",
            ""),
        StandardCharsets.UTF_8);
    return p;
  }

  private String url(String kind) {
    return kind.equals("duckdb")
        ? "jdbc:duckdb:" + dir.resolve("hooks.duckdb")
        : EmbeddedPostgresServer.newDatabase();
  }

  private static final String BODY =
      "{id: '{{window}}', text: '{{window}} loaded {{inserted}} rows ({{status}})'}";

  private static Cli.Result run(Supplier<RunServices> services, String... args) {
    return Cli.run(ENV, services, args);
  }

  private static Cli.Result run(String... args) {
    return run(RunServices::defaults, args);
  }

  private static List<String> sentBodies(String url) {
    try (JdbcDestination d =
        JdbcDestination.open(
            url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5))) {
      return d.tableRows("_idem.http_requests").stream()
          .map(r -> r.replaceAll(".*body=", ""))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void oncePerWindowLoadNothingForAnUnchangedRunAgainForAChangedWindow(String kind)
      throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      String url = url(kind);
      input("2024-05-01", "2024-05-01", "2024-05-02");
      Path p = pipeline("destination: {url: \"" + url + "\"}", api.url(), "[success]", BODY);
      Cli.Result first = run("run", p.toString());
      assertThat(first.exit()).as(first.err()).isZero();
      assertThat(first.err()).contains("notify: 2 delivered");
      assertThat(api.effects()).isEqualTo(Map.of("2024-05-01", 1, "2024-05-02", 1));
      assertThat(sentBodies(url))
          .anySatisfy(b -> assertThat(b).contains("2024-05-01 loaded 2 rows (success)"));

      Cli.Result unchanged = run("run", p.toString());
      assertThat(unchanged.exit()).as(unchanged.err()).isZero();
      assertThat(unchanged.err()).doesNotContain("notify:");
      assertThat(api.requests()).isEqualTo(2);

      input("2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02");
      Cli.Result changed = run("run", p.toString());
      assertThat(changed.exit()).as(changed.err()).isZero();
      assertThat(api.effects()).isEqualTo(Map.of("2024-05-01", 1, "2024-05-02", 2));
      assertThat(api.requests()).isEqualTo(3);
      assertThat(first.out() + first.err() + changed.out() + changed.err()).doesNotContain(TOKEN);
      assertThat(String.join("\n", sentBodies(url))).doesNotContain(TOKEN);
    }
  }

  @Test
  void aCrashRightAfterTheCommitIsDeliveredOnceByTheUnchangedRerun() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      input("2024-05-01", "2024-05-02");
      Path p = pipeline("", api.url(), "[success]", BODY);
      CrashAt crash = new CrashAt(FaultPoint.AFTER_COMMIT, "2024-05-02");
      // the in-process crash stands for the process dying: it escapes the command
      assertThatThrownBy(
              () -> run(() -> RunServices.defaults().withFaults(crash), "run", p.toString()))
          .isInstanceOf(SimulatedCrash.class);
      assertThat(crash.fired()).isTrue();
      assertThat(api.requests()).isZero();
      Cli.Result status = run("status", p.toString());
      assertThat(status.out()).contains("notifications not delivered yet: 2");
      Cli.Result doctor = run("doctor", p.toString());
      assertThat(doctor.out() + doctor.err())
          .contains("undelivered_notification", "notification of window 2024-05-02");

      Cli.Result rerun = run("run", p.toString());
      assertThat(rerun.exit()).as(rerun.err()).isZero();
      assertThat(rerun.out()).contains("UNCHANGED");
      assertThat(api.effects()).isEqualTo(Map.of("2024-05-01", 1, "2024-05-02", 1));

      assertThat(run("run", p.toString()).exit()).isZero();
      assertThat(api.requests()).isEqualTo(2);
    }
  }

  @Test
  void anUnreachableHookIsDeliveredByTheNextRunAndTheRunStillSucceeds() throws Exception {
    input("2024-05-01");
    ApiServer down = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2));
    String downUrl = down.url();
    down.close();
    Path p = pipeline("", downUrl, "[success]", BODY);
    Cli.Result first = run("run", p.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err()).contains("notify: 1 not delivered yet");
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      pipeline("", api.url(), "[success]", BODY);
      Cli.Result second = run("run", p.toString());
      assertThat(second.exit()).as(second.err()).isZero();
      assertThat(second.err()).contains("notify: 1 delivered");
      assertThat(api.effects()).isEqualTo(Map.of("2024-05-01", 1));
    }
  }

  @Test
  void aNotificationHeldPastItsKeysLifetimeIsListedByDoctorAndResolvedByHand() throws Exception {
    input("2024-05-01", "2024-05-02");
    // the hook answers past the client's timeout (1 s): each notification is sent and in doubt
    // (a refused connection would not be: nothing left the machine)
    ApiServer slow = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2));
    slow.faults(n -> Fault.SLOW);
    String hookUrl = slow.url();
    Path p = pipeline("", hookUrl, "[success]", BODY);
    Supplier<RunServices> noWait = () -> RunServices.defaults().withSleeper(d -> {});
    Cli.Result first = run(noWait, "run", p.toString());
    slow.close();
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err()).contains("notify: 2 not delivered yet");
    // a day later than the key's 24 h lifetime, the hook now down: never sent again, held
    Supplier<RunServices> later =
        () ->
            RunServices.defaults()
                .withSleeper(d -> {})
                .withClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(25)));
    Cli.Result second = run(later, "run", p.toString());
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.err())
        .contains("notify: 2 held as of unknown outcome")
        .doesNotContain("not delivered yet")
        .doesNotContain(TOKEN);
    Cli.Result status = run("status", p.toString());
    assertThat(status.out())
        .contains("notifications held as of unknown outcome: 2")
        .contains("window 2024-05-01: POST", "window 2024-05-02: POST")
        .doesNotContain("not delivered yet")
        .doesNotContain(TOKEN);
    Cli.Result doctor = run("doctor", p.toString());
    assertThat(doctor.exit()).as(doctor.out()).isNotZero();
    Map<String, String> keyOfWindow = new java.util.TreeMap<>();
    Matcher m =
        Pattern.compile(
                "notification_of_unknown_outcome.*?window (\\S+): POST \\S+ key ([0-9a-f]{64})")
            .matcher(doctor.out());
    while (m.find()) {
      keyOfWindow.put(m.group(1), m.group(2));
    }
    assertThat(keyOfWindow).as(doctor.out()).containsOnlyKeys("2024-05-01", "2024-05-02");
    Cli.Result sent =
        run(
            "resolve",
            p.toString(),
            "--request",
            keyOfWindow.get("2024-05-01").substring(0, 12),
            "--as",
            "sent");
    assertThat(sent.exit()).as(sent.err()).isZero();
    assertThat(sent.out()).contains("resolved as sent");
    Cli.Result notSent =
        run(
            "resolve",
            p.toString(),
            "--request",
            keyOfWindow.get("2024-05-02"),
            "--as",
            "not-sent");
    assertThat(notSent.exit()).as(notSent.err()).isZero();
    assertThat(notSent.out()).contains("resolved as not sent");
    assertThat(run("doctor", p.toString()).out()).doesNotContain("notification_of_unknown_outcome");
    Cli.Result again =
        run("resolve", p.toString(), "--request", keyOfWindow.get("2024-05-02"), "--as", "sent");
    assertThat(again.exit()).isEqualTo(2);
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      pipeline("", api.url(), "[success]", BODY);
      Cli.Result third = run("run", p.toString());
      assertThat(third.exit()).as(third.err()).isZero();
      assertThat(third.err()).contains("notify: 2 delivered");
      // resolved as sent: never sent; resolved as not sent: sent once
      assertThat(api.requests()).isEqualTo(1);
      assertThat(api.effects()).isEqualTo(Map.of("2024-05-02", 1));
      Cli.Result fourth = run("run", p.toString());
      assertThat(fourth.exit()).as(fourth.err()).isZero();
      assertThat(api.requests()).isEqualTo(1);
    }
  }

  @Test
  void aFailureHookIsSentForTheFailedWindowOnly() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      input("2024-05-02");
      Files.writeString(
          dir.resolve("events-2024-05-01.csv"),
          "id,user,at\n1,u,2024-05-01T10:00:00\nx,u,2024-05-01T11:00:00\n");
      Path p =
          pipeline(
              "",
              api.url(),
              "[failure]",
              "{id: 'failed-{{window}}', text: '{{status}}: {{error}}'}");
      Cli.Result r = run("run", p.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.PARTLY_FAILED);
      assertThat(api.effects()).isEqualTo(Map.of("failed-2024-05-01", 1));
      assertThat(sentBodies("jdbc:duckdb:" + dir.resolve("hooks.duckdb")))
          .anySatisfy(b -> assertThat(b).contains("failure: ", "max_bad_records"));
    }
  }

  @Test
  void aDestinationWithoutAnOutboxRefusesNotifyInOneLine() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      input("2024-05-01");
      Path p =
          pipeline(
              "destination: {type: http, request: {url: '"
                  + api.url()
                  + "', body: {id: '{{id}}'}}, idempotency: {key: {hash: [id]}}}",
              api.url(),
              "[success]",
              BODY);
      Cli.Result r = run("run", p.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.errors().strip())
          .contains("notify: destination http POST", "keeps no outbox")
          .doesNotContain("\n");
      assertThat(api.requests()).isZero();
    }
  }
}
