package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testkit.http.ApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code destination: {type: http}} from a pipeline file, through the real command line. */
class HttpDestinationCliTest {
  private static final String TOKEN = "tok-9f8e7d6c5b";

  @TempDir Path dir;

  private Path pipeline(String url, String idempotency, String body) throws Exception {
    StringBuilder csv = new StringBuilder("id,user,at\n");
    for (int id = 1; id <= 6; id++) {
      csv.append(id)
          .append(",u")
          .append(id)
          .append(",2024-05-0")
          .append(1 + id % 2)
          .append("T10:00:00\n");
    }
    Files.writeString(dir.resolve("events.csv"), csv, StandardCharsets.UTF_8);
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: notify",
            "source: {type: csv, path: events.csv}",
            "columns: {id: integer not null, user: string, at: timestamp not null}",
            "windows: {kind: day, column: at}",
            "target: {table: sent, key: [id], strategy: merge}",
            "destination:",
            "  type: http",
            "  request:",
            "    url: " + url,
            "    headers: {Authorization: 'Bearer ${env:API_TOKEN}'}",
            "    body: " + body,
            "  idempotency: " + idempotency,
            "  timeout: 1s",
            ""),
        StandardCharsets.UTF_8);
    return p;
  }

  private static Map<String, Integer> everyIdOnce() {
    Map<String, Integer> m = new TreeMap<>();
    for (int id = 1; id <= 6; id++) {
      m.put(Integer.toString(id), 1);
    }
    return m;
  }

  @Test
  void aKeyedApiGetsOneRequestPerRowAndASecondRunSendsNothing() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      Path p = pipeline(api.url(), "{key: {hash: [id]}}", "{id: '{{id}}', text: 'hi {{user}}'}");
      Map<String, String> env = Map.of("API_TOKEN", TOKEN);
      Cli.Result first = Cli.run(env, "run", p.toString());
      assertThat(first.exit()).as(first.err()).isZero();
      assertThat(api.effects()).isEqualTo(everyIdOnce());
      Cli.Result second = Cli.run(env, "run", p.toString());
      assertThat(second.exit()).as(second.err()).isZero();
      assertThat(api.requests()).isEqualTo(6);
      Cli.Result status = Cli.run(env, "status", p.toString());
      assertThat(first.out() + first.err() + second.out() + status.out() + status.err())
          .doesNotContain(TOKEN);
    }
  }

  @Test
  void heldRequestsOfUnknownOutcomeFailTheRunAndReachStatusAndDoctor() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, Duration.ofSeconds(2))) {
      api.faults(n -> n == 2 ? ApiServer.Fault.LOSE_RESPONSE : ApiServer.Fault.NONE);
      Path p = pipeline(api.url(), "none\n  recovery: hold", "{id: '{{id}}'}");
      Map<String, String> env = Map.of("API_TOKEN", TOKEN);
      Cli.Result run = Cli.run(env, "run", p.toString());
      assertThat(run.exit()).as(run.err()).isNotZero();
      assertThat(run.out() + run.err()).contains("1 request of unknown outcome");
      assertThat(Files.readString(dir.resolve(".idem/notify/run_results.json")))
          .contains("1 request of unknown outcome");
      Cli.Result status = Cli.run(env, "status", p.toString());
      assertThat(status.out() + status.err()).contains("1 request of unknown outcome");
      Cli.Result doctor = Cli.run(env, "doctor", p.toString());
      assertThat(doctor.out() + doctor.err()).contains("request_of_unknown_outcome");
      assertThat(api.effects().values()).containsOnly(1); // at most once
    }
  }

  /** The keys of the requests idem doctor lists as of unknown outcome. */
  private static List<String> heldKeys(Map<String, String> env, Path p) {
    Cli.Result doctor = Cli.run(env, "doctor", p.toString());
    Matcher m = Pattern.compile("key ([0-9a-f]{64})").matcher(doctor.out() + doctor.err());
    List<String> keys = new ArrayList<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  @Test
  void aHeldRequestResolvedAsSentIsAcknowledgedByTheNextRunAndNeverSentAgain() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, Duration.ofSeconds(2))) {
      api.faults(n -> n == 2 ? ApiServer.Fault.LOSE_RESPONSE : ApiServer.Fault.NONE);
      Path p = pipeline(api.url(), "none\n  recovery: hold", "{id: '{{id}}'}");
      Map<String, String> env = Map.of("API_TOKEN", TOKEN);
      assertThat(Cli.run(env, "run", p.toString()).exit()).isNotZero();
      List<String> held = heldKeys(env, p);
      assertThat(held).hasSize(1);
      int sent = api.requests();

      Cli.Result resolve =
          Cli.run(
              env,
              "resolve",
              p.toString(),
              "--request",
              held.get(0).substring(0, 12),
              "--as",
              "sent");
      assertThat(resolve.exit()).as(resolve.err()).isZero();
      assertThat(resolve.out()).contains("key " + held.get(0)).contains("resolved as sent");
      assertThat(heldKeys(env, p)).isEmpty();

      Cli.Result again = Cli.run(env, "run", p.toString());
      assertThat(again.exit()).as(again.out() + again.err()).isZero();
      assertThat(api.requests()).isEqualTo(sent);
      assertThat(api.effects()).isEqualTo(everyIdOnce());
      Cli.Result status = Cli.run(env, "status", p.toString());
      assertThat(status.out() + status.err()).doesNotContain("unknown outcome").contains("done");
      assertThat(
              Cli.run(env, "resolve", p.toString(), "--request", held.get(0), "--as", "sent")
                  .exit())
          .as("nothing left to resolve")
          .isEqualTo(2);
    }
  }

  @Test
  void aHeldRequestResolvedAsNotSentIsSentByTheNextRun() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, Duration.ofSeconds(2))) {
      api.faults(n -> n == 3 ? ApiServer.Fault.FAIL_500 : ApiServer.Fault.NONE); // no effect
      Path p = pipeline(api.url(), "none\n  recovery: hold", "{id: '{{id}}'}");
      Map<String, String> env = Map.of("API_TOKEN", TOKEN);
      assertThat(Cli.run(env, "run", p.toString()).exit()).isNotZero();
      List<String> held = heldKeys(env, p);
      assertThat(held).hasSize(1);
      assertThat(api.effects()).hasSize(5);

      Cli.Result wrong =
          Cli.run(env, "resolve", p.toString(), "--request", "x1", "--as", "not-sent");
      assertThat(wrong.exit()).isEqualTo(2);
      assertThat(wrong.errors().strip()).contains("'x1' is not a request key").doesNotContain("\n");
      Cli.Result resolve =
          Cli.run(env, "resolve", p.toString(), "--request", held.get(0), "--as", "not-sent");
      assertThat(resolve.exit()).as(resolve.err()).isZero();
      assertThat(resolve.out()).contains("resolved as not sent");
      assertThat(heldKeys(env, p)).isEmpty();

      Cli.Result again = Cli.run(env, "run", p.toString());
      assertThat(again.exit()).as(again.out() + again.err()).isZero();
      assertThat(api.effects()).isEqualTo(everyIdOnce());
      assertThat(heldKeys(env, p)).isEmpty();
    }
  }

  @Test
  void aPlaceholderNamingNoColumnIsAOneLineErrorWithFileAndLine() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      Path p = pipeline(api.url(), "{key: {hash: [id]}}", "{id: '{{idd}}'}");
      Cli.Result run = Cli.run(Map.of("API_TOKEN", TOKEN), "run", p.toString());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.errors().strip())
          .contains("pipeline.yaml:11")
          .contains("destination.request.body.id: {{idd}} names no column")
          .doesNotContain("\n");
      assertThat(api.requests()).isZero();
    }
  }
}
