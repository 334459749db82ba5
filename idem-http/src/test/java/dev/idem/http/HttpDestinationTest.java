package dev.idem.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.TransientException;
import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.FencedException;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.http.ApiServer;
import dev.idem.testkit.http.ApiServer.Fault;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.WindowSpec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP destination against real HTTP servers in process: one with Stripe's key semantics, one
 * without keys, each with faults injected by request number.
 */
class HttpDestinationTest {
  /** Long enough that a cold JVM on a busy machine never times out by itself. */
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private static final Schema COLUMNS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("user", DataType.STRING),
          Column.of("amount", DataType.INTEGER),
          Column.of("at", DataType.TIMESTAMP));
  private static final int ROWS = 12;

  @TempDir Path dir;

  private final Secrets secrets = new Secrets();

  /** A section as the pipeline file would give it. */
  private Map<String, Object> section(ApiServer api, Object idempotency, Object recovery) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "http");
    s.put(
        "request",
        Map.of(
            "method",
            "POST",
            "url",
            api == null ? "http://127.0.0.1:9/api" : api.url(),
            "headers",
            Map.of("Authorization", "Bearer s3cr3t-t0ken"),
            "body",
            Map.of("id", "{{id}}", "text", "hello {{user}}", "amount", "{{amount}}")));
    s.put("idempotency", idempotency);
    if (recovery != null) {
      s.put("recovery", recovery);
    }
    s.put("concurrency", 4);
    s.put("timeout", TIMEOUT.toMillis() + "ms");
    s.put("ledger", "jdbc:duckdb:" + dir.resolve("ledger.duckdb"));
    return s;
  }

  private static Map<String, Object> keyed() {
    return Map.of("header", "Idempotency-Key", "key", Map.of("hash", List.of("id")));
  }

  private HttpDestination open(Map<String, Object> section) {
    return open(section, services());
  }

  private HttpDestination open(Map<String, Object> section, RunServices services) {
    secrets.add("s3cr3t-t0ken");
    var binding =
        new HttpDestinationFactory()
            .bind(
                ConfigNode.Mapping.of("pipeline.yaml", section),
                new ConnectorContext(dir, "notify", n -> null, secrets));
    return (HttpDestination) binding.open(services, Duration.ofSeconds(5));
  }

  private static RunServices services() {
    return RunServices.defaults()
        .withRetry(new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(400)));
  }

  private static ListSource rows(long amountOf3) {
    ListSource s = new ListSource(COLUMNS);
    for (long id = 1; id <= ROWS; id++) {
      LocalDateTime at = LocalDateTime.parse("2024-05-01T10:00").plusDays(id % 2);
      s.add(id, "u" + id, id == 3 ? amountOf3 : id * 10, at);
    }
    return s;
  }

  private static Pipeline pipeline(ListSource source) {
    return Pipeline.builder("notify")
        .source(source)
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .table("sent_rows")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  private static RunReport run(HttpDestination d, Pipeline p, String runId) throws Exception {
    return run(d, p, runId, services());
  }

  private static RunReport run(HttpDestination d, Pipeline p, String runId, RunServices services)
      throws Exception {
    return new Runner(d, services)
        .run(p, p.source().windows(p.windows()), RunOptions.defaults(runId));
  }

  private static Map<String, Integer> once() {
    Map<String, Integer> m = new TreeMap<>();
    for (long id = 1; id <= ROWS; id++) {
      m.put(Long.toString(id), 1);
    }
    return m;
  }

  @Test
  void aKeyedApiGetsEveryRowOnceAndAnUnchangedRunSendsNothing() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, keyed(), null))) {
      Pipeline p = pipeline(rows(30));
      assertThat(run(d, p, "r1").ok()).isTrue();
      assertThat(api.effects()).isEqualTo(once());
      int sent = api.requests();
      assertThat(sent).isEqualTo(ROWS);
      RunReport again = run(d, p, "r2");
      assertThat(again.outcomes())
          .extracting(WindowOutcome::result)
          .containsOnly(WindowOutcome.Result.UNCHANGED);
      assertThat(api.requests()).isEqualTo(sent);
      List<String> ledger = d.store().tableRows("_idem.http_requests");
      assertThat(ledger)
          .hasSize(ROWS)
          .allSatisfy(r -> assertThat(r).contains("phase=acked", "status=201"));
      assertThat(String.join("\n", ledger)).doesNotContain("s3cr3t");
      assertThat(d.describe()).doesNotContain("s3cr3t");
      assertThat(d.store().tableRows("sent_rows")).hasSize(ROWS);
    }
  }

  @Test
  void lostResponsesServerErrorsSlowResponsesAnd429LeaveExactlyOneEffectPerRowWithKeys()
      throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, keyed(), null))) {
      Map<Integer, Fault> faults =
          Map.of(
              2,
              Fault.LOSE_RESPONSE,
              4,
              Fault.FAIL_500,
              6,
              Fault.SLOW,
              8,
              Fault.TOO_MANY,
              9,
              Fault.LOSE_RESPONSE);
      api.faults(n -> faults.getOrDefault(n, Fault.NONE));
      RunReport r = run(d, pipeline(rows(30)), "r1");
      assertThat(r.ok()).as(r.outcomes().toString()).isTrue();
      assertThat(api.effects()).isEqualTo(once());
      assertThat(api.requests()).isGreaterThan(ROWS); // the faults were met and recovered
    }
  }

  @Test
  void aKeyReusedWithAnotherPayloadIsADeadLetterWithTheApisResponse() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, keyed(), null))) {
      assertThat(run(d, pipeline(rows(30)), "r1").ok()).isTrue();
      int sent = api.requests();
      // row 3's amount changes, its key (id) does not: the API refuses the key with another payload
      RunReport changed = run(d, pipeline(rows(31)), "r2");
      assertThat(api.requests()).as("only the changed row is sent again").isEqualTo(sent + 1);
      assertThat(api.effects()).isEqualTo(once());
      // a refused request is a bad record: by default none is allowed, and its window fails
      assertThat(changed.outcomes())
          .filteredOn(o -> o.result() == WindowOutcome.Result.FAILED)
          .singleElement()
          .satisfies(o -> assertThat(o.counts().deadLettered()).isEqualTo(1));
      assertThat(d.ledger().deadLetters("notify", Optional.empty(), false))
          .singleElement()
          .satisfies(
              l -> assertThat(l.reason()).contains("HTTP 422", "key reused with another payload"));
      // allowed one bad record, the window loads; the refused request is not sent again
      assertThat(run(d, tolerant(rows(31)), "r3").ok()).isTrue();
      assertThat(api.requests()).isEqualTo(sent + 1);
      // the kept rows are what the API has: row 3 as first acknowledged, not the refused change
      assertThat(d.store().tableRows("sent_rows"))
          .hasSize(ROWS)
          .anySatisfy(r -> assertThat(r).startsWith("id=3|user=u3|amount=30|"));
    }
  }

  @Test
  void aChangeOfAFieldThatIsPartOfTheKeyIsANewRequestWithANewKey() throws Exception {
    Map<String, Object> idempotency =
        Map.of("header", "Idempotency-Key", "key", Map.of("hash", List.of("id", "amount")));
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, idempotency, null))) {
      assertThat(run(d, pipeline(rows(30)), "r1").ok()).isTrue();
      int sent = api.requests();
      // row 3's amount is in its key: a new key, a new request the API accepts as a new effect;
      // the window's unchanged rows are not sent again
      RunReport changed = run(d, pipeline(rows(31)), "r2");
      assertThat(changed.ok()).isTrue();
      assertThat(api.requests()).isEqualTo(sent + 1);
      Map<String, Integer> expected = once();
      expected.put("3", 2);
      assertThat(api.effects()).isEqualTo(expected);
    }
  }

  @Test
  void withoutKeysALookupTellsWhetherALostResponsesEffectHappened() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, TIMEOUT.multipliedBy(2))) {
      Map<String, Object> lookup = Map.of("lookup", Map.of("url", api.url() + "/{{id}}"));
      try (HttpDestination d = open(section(api, "none", lookup))) {
        Map<Integer, Fault> faults =
            Map.of(2, Fault.LOSE_RESPONSE, 5, Fault.FAIL_500, 7, Fault.LOSE_RESPONSE);
        api.faults(n -> faults.getOrDefault(n, Fault.NONE));
        RunReport r = run(d, pipeline(rows(30)), "r1");
        assertThat(r.ok()).as(r.outcomes().toString()).isTrue();
        assertThat(api.effects()).isEqualTo(once());
      }
    }
  }

  /** {@link #pipeline} allowing one bad record (a refused request) per window. */
  private static Pipeline tolerant(ListSource source) {
    return Pipeline.builder("notify")
        .source(source)
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .table("sent_rows")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        .badRecords(new BadRecordPolicy(1, null))
        .build();
  }

  @Test
  void aValueInTheUrlIsOneComponentAndARequestThatCannotBeBuiltIsARefusedRowNeverSent()
      throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2))) {
      Map<String, Object> section = section(api, keyed(), null);
      section.put(
          "request",
          Map.of(
              "method",
              "POST",
              "url",
              api.url() + "/{{user}}",
              "headers",
              Map.of("Authorization", "Bearer s3cr3t-t0ken", "X-User", "{{user}}"),
              "body",
              Map.of("id", "{{id}}")));
      try (HttpDestination d = open(section)) {
        LocalDateTime at = LocalDateTime.parse("2024-05-01T10:00");
        ListSource source =
            new ListSource(COLUMNS)
                .add(1L, "a/b c?d#e", 10L, at)
                .add(2L, "line\nbreak", 20L, at) // a header value the HTTP client refuses
                .add(3L, "ü", 30L, at);
        RunReport r = run(d, tolerant(source), "r1");
        assertThat(r.ok()).as(r.outcomes().toString()).isTrue();
        // each value one path segment: a/b is not two, ? starts no query, # no fragment
        assertThat(api.received())
            .containsExactlyInAnyOrder(
                "POST /api/a%2Fb%20c%3Fd%23e application/json",
                "POST /api/%C3%BC application/json");
        assertThat(d.ledger().deadLetters("notify", Optional.empty(), false))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l.reason())
                        .startsWith("request cannot be sent: ")
                        .doesNotContain("s3cr3t-t0ken"));
        assertThat(d.diagnose(tolerant(source))).isEmpty();
      }
    }
  }

  @Test
  void aListBodyIsSentAsJson() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2))) {
      Map<String, Object> section = section(api, keyed(), null);
      section.put(
          "request",
          Map.of("method", "POST", "url", api.url(), "body", List.of(Map.of("id", "{{id}}"))));
      try (HttpDestination d = open(section)) {
        assertThat(run(d, pipeline(rows(30)), "r1").ok()).isTrue();
        assertThat(api.received()).hasSize(ROWS).containsOnly("POST /api application/json");
      }
    }
  }

  @Test
  void aRequestThatFindsNoServerIsNotSentAndNeverHeld() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Map<String, Object> section = section(null, "none", "hold");
    section.put(
        "request",
        Map.of("method", "POST", "url", "http://127.0.0.1:" + closed + "/api", "body", "{{id}}"));
    RunServices noWaits = services().withSleeper(d -> {});
    try (HttpDestination d = open(section, noWaits)) {
      ListSource one =
          new ListSource(COLUMNS).add(1L, "u1", 10L, LocalDateTime.parse("2024-05-01T10:00"));
      Pipeline p = pipeline(one);
      RunReport r = run(d, p, "r1", noWaits);
      assertThat(r.ok()).isFalse();
      assertThat(r.outcomes())
          .singleElement()
          .satisfies(o -> assertThat(o.message()).contains("not acknowledged yet"));
      // connection refused: nothing left this machine, so nothing is in doubt or held
      assertThat(d.sentLedger().inDoubt("notify")).isEmpty();
      assertThat(d.diagnose(p))
          .extracting(f -> f.kind())
          .containsExactly("failed_window")
          .doesNotContain("request_of_unknown_outcome");
    }
  }

  /**
   * Two windows may hold one request key (the target's key across days under merge). While one
   * window's attempt holds the request (planned, or sent and not answered), the other's plan waits
   * for it (a transient failure, retried) rather than take it over: taking it over let both send
   * it. Once settled, the other finds it acknowledged and sends nothing; once the holder's attempt
   * ended without settling it, the other takes it over.
   */
  @Test
  void twoWindowsHoldingOneRequestKeyNeverBothSendIt() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, "none", "hold"))) {
      d.prepare(pipeline(rows(30)));
      Duration ttl = Duration.ofMinutes(5);
      Lease day1 = d.ledger().claim("notify", "2024-05-01", "a", ttl).orElseThrow();
      Lease day2 = d.ledger().claim("notify", "2024-05-02", "b", ttl).orElseThrow();
      SentLedger sent = d.sentLedger();
      SentLedger.Planned request = new SentLedger.Planned("k", "h1", "POST", api.url(), "{}");
      SentLedger.Planned changed =
          new SentLedger.Planned("k", "h2", "POST", api.url(), "{\"a\":1}");
      Instant now = Instant.parse("2026-12-07T10:00:00Z");
      assertThat(sent.plan(day1, List.of(request), now).get("k").phase())
          .isEqualTo(SentLedger.Phase.PLANNED);
      for (SentLedger.Planned p : List.of(request, changed)) {
        assertThatThrownBy(() -> sent.plan(day2, List.of(p), now))
            .isInstanceOf(TransientException.class)
            .hasMessageContaining("request k is being sent by window 2024-05-01");
      }
      sent.sent(day1, "k", now);
      assertThatThrownBy(() -> sent.plan(day2, List.of(request), now))
          .isInstanceOf(TransientException.class);
      sent.settle(day1, "k", SentLedger.Phase.ACKED, 201, "{}", now);
      assertThat(sent.plan(day2, List.of(request), now).get("k").phase())
          .isEqualTo(SentLedger.Phase.ACKED);

      // planned by day 2 again under another payload, then day 2's attempt ends: day 1 takes it
      assertThat(sent.plan(day2, List.of(changed), now).get("k").phase())
          .isEqualTo(SentLedger.Phase.PLANNED);
      d.ledger().release(day2);
      assertThat(sent.plan(day1, List.of(changed), now).get("k").phase())
          .isEqualTo(SentLedger.Phase.PLANNED);
      // and day 2's old attempt can no longer record it sent
      assertThatThrownBy(() -> sent.sent(day2, "k", now)).isInstanceOf(FencedException.class);
    }
  }

  @Test
  void withoutKeysHoldNeverSendsAgainAndReportsEveryUnknown() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, "none", "hold"))) {
      api.faults(n -> n == 3 || n == 8 ? Fault.LOSE_RESPONSE : Fault.NONE);
      Pipeline p = pipeline(rows(30));
      RunReport r = run(d, p, "r1");
      assertThat(r.ok()).isFalse();
      assertThat(r.outcomes())
          .filteredOn(o -> o.result() == WindowOutcome.Result.FAILED)
          .extracting(WindowOutcome::message)
          .allSatisfy(
              m -> assertThat(m).contains("of unknown outcome", "held and never sent again"));
      assertThat(api.effects()).isEqualTo(once()); // at most once; here the lost ones did happen
      int sent = api.requests();
      RunReport again = run(d, p, "r2");
      assertThat(again.ok()).isFalse();
      assertThat(api.requests()).as("nothing is sent blindly again").isEqualTo(sent);
      assertThat(d.diagnose(p))
          .filteredOn(f -> f.kind().equals("request_of_unknown_outcome"))
          .hasSize(2);
    }
  }

  @Test
  void noMoreRequestsThanTheConcurrencyAreInFlightAtOnce() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT)) {
      api.latency(Duration.ofMillis(60));
      Map<String, Object> s = section(api, keyed(), null);
      s.put("concurrency", 3);
      s.put("timeout", "10s"); // no request times out and is sent again: each is in flight once
      try (HttpDestination d = open(s)) {
        assertThat(run(d, pipeline(rows(30)), "r1").ok()).isTrue();
        assertThat(api.maxInFlight()).isBetween(1, 3);
        assertThat(api.effects()).isEqualTo(once());
      }
    }
  }

  @Test
  void pastTheKeysLifetimeARequestInDoubtIsHeldNeverSentAgain() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2024-05-03T00:00:00Z"));
    // every wait between tries lasts a day: the key (key_ttl 24h) is forgotten by the next try
    RunServices services =
        services().withClock(clock).withSleeper(d -> clock.advance(Duration.ofHours(25)));
    Map<String, Object> idempotency = new LinkedHashMap<>(keyed());
    idempotency.put("key_ttl", "24h");
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2));
        HttpDestination d = open(section(api, idempotency, null), services)) {
      api.faults(n -> n == 1 ? Fault.LOSE_RESPONSE : Fault.NONE);
      RunReport r = run(d, pipeline(rows(30)), "r1", services);
      assertThat(r.outcomes())
          .filteredOn(o -> o.result() == WindowOutcome.Result.FAILED)
          .singleElement()
          .satisfies(o -> assertThat(o.message()).contains("1 request of unknown outcome"));
      assertThat(api.requests()).as("the request in doubt was not sent again").isEqualTo(ROWS);
      assertThat(d.store().tableRows("_idem.http_requests"))
          .filteredOn(row -> row.contains("phase=unknown"))
          .singleElement()
          .satisfies(row -> assertThat(row).contains("sends=1"));
    }
  }

  @Test
  void aPostgresLedgerStoreKeepsTheSameLedger() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT.multipliedBy(2))) {
      Map<String, Object> s = section(api, keyed(), null);
      s.put("ledger", EmbeddedPostgresServer.newDatabase());
      api.faults(n -> n == 2 ? Fault.LOSE_RESPONSE : n == 4 ? Fault.FAIL_500 : Fault.NONE);
      try (HttpDestination d = open(s)) {
        Pipeline p = pipeline(rows(30));
        assertThat(run(d, p, "r1").ok()).isTrue();
        assertThat(run(d, p, "r2").outcomes())
            .extracting(WindowOutcome::result)
            .containsOnly(WindowOutcome.Result.UNCHANGED);
        assertThat(api.effects()).isEqualTo(once());
        assertThat(d.store().tableRows("_idem.http_requests"))
            .hasSize(ROWS)
            .allSatisfy(r -> assertThat(r).contains("phase=acked"));
      }
    }
  }

  @Test
  void aPlaceholderNamingNoColumnIsRefusedAtItsLine() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, TIMEOUT)) {
      Map<String, Object> s = section(api, keyed(), null);
      s.put("request", Map.of("url", api.url(), "body", Map.of("x", "{{nope}}")));
      try (HttpDestination d = open(s)) {
        assertThatThrownBy(() -> d.prepare(pipeline(rows(30))))
            .isInstanceOf(ConfigProblem.class)
            .hasMessageContaining("pipeline.yaml")
            .hasMessageContaining("destination.request.body.x: {{nope}} names no column");
      }
    }
  }

  @Test
  void idempotencyNoneWithoutARecoveryIsRefused() throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYLESS, TIMEOUT)) {
      assertThatThrownBy(() -> open(section(api, "none", null)))
          .isInstanceOf(ConfigProblem.class)
          .hasMessageContaining("'recovery: hold' or 'recovery: {lookup:");
    }
  }
}
