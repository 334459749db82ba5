package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenLineage events of a run, received by an in-process stand-in for a lineage backend. */
class LineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADER = "order_id,customer,amount,ingested_at\n";
  private static final String DAY1 =
      "1,ada,10.00,2024-03-01 08:00:00\n" + "2,bob,5.00,2024-03-01 09:00:00\n";
  private static final String BAD_DAY2 =
      "3,cyd,3.00,2024-03-02 08:00:00\n" + "4,dee,abc,2024-03-02 09:00:00\n";

  @TempDir Path dir;

  private Path pipeline(String csv, String lineage) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/orders.csv"), HEADER + csv, StandardCharsets.UTF_8);
    Path p = dir.resolve("pipeline.yaml");
    String url = "\"jdbc:duckdb:" + dir.resolve("l.duckdb") + "\"";
    Files.writeString(p, OrdersPipeline.yaml("traced", "data/*.csv", null, url, lineage));
    return p;
  }

  private static List<JsonNode> events(List<String> bodies) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String b : bodies) {
      events.add(JSON.readTree(b));
    }
    return events;
  }

  /** "windowId eventType" of each event, in the order received. */
  private static List<String> kinds(List<JsonNode> events) {
    return events.stream()
        .map(e -> e.at("/run/facets/idem/windowId").asText() + " " + e.get("eventType").asText())
        .toList();
  }

  private static JsonNode last(List<JsonNode> events, String window) {
    JsonNode found = null;
    for (JsonNode e : events) {
      if (e.at("/run/facets/idem/windowId").asText().equals(window)) {
        found = e;
      }
    }
    return found;
  }

  @Test
  void eachWindowIsARunWithStartAndCompleteOrFail() throws Exception {
    try (Receiver backend = new Receiver()) {
      Path p =
          pipeline(
              DAY1 + BAD_DAY2,
              "lineage:\n  url: " + backend.url() + "\n  api_key: ${env:OL_KEY}\n  namespace: etl");
      Cli.Result r = Cli.run(Map.of("OL_KEY", "s3cret"), "run", p.toString());
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.PARTLY_FAILED);
      List<Receiver.Request> requests = backend.requests();
      assertThat(requests)
          .allSatisfy(
              q -> {
                assertThat(q.method()).isEqualTo("POST");
                assertThat(q.path()).isEqualTo("/api/v1/lineage");
                assertThat(q.authorization()).isEqualTo("Bearer s3cret");
                assertThat(q.body()).doesNotContain("s3cret");
              });
      List<JsonNode> events = events(requests.stream().map(Receiver.Request::body).toList());
      assertThat(kinds(events))
          .containsExactly(
              "2024-03-01 START", "2024-03-01 COMPLETE", "2024-03-02 START", "2024-03-02 FAIL");

      JsonNode done = last(events, "2024-03-01");
      assertThat(done.at("/job/namespace").asText()).isEqualTo("etl");
      assertThat(done.at("/job/name").asText()).isEqualTo("traced");
      assertThat(done.at("/inputs/0/namespace").asText()).isEqualTo("file");
      assertThat(done.at("/inputs/0/name").asText())
          .isEqualTo(dir.toAbsolutePath().normalize().resolve("data/*.csv").toString());
      assertThat(done.at("/outputs/0/namespace").asText())
          .isEqualTo("jdbc:duckdb:" + dir.resolve("l.duckdb"));
      assertThat(done.at("/outputs/0/name").asText()).isEqualTo("orders");
      JsonNode facet = done.at("/run/facets/idem");
      assertThat(facet.get("result").asText()).isEqualTo("loaded");
      assertThat(facet.at("/counts/read").asLong()).isEqualTo(2);
      assertThat(facet.at("/counts/inserted").asLong()).isEqualTo(2);
      assertThat(facet.get("inputFingerprint").asText()).isNotBlank();
      assertThat(facet.get("runId").asText()).isNotBlank();
      // the START and the COMPLETE of a window are one OpenLineage run
      assertThat(events.get(0).at("/run/runId").asText())
          .isEqualTo(done.at("/run/runId").asText())
          .isNotEqualTo(last(events, "2024-03-02").at("/run/runId").asText());

      JsonNode failed = last(events, "2024-03-02").at("/run/facets/idem");
      assertThat(failed.get("result").asText()).isEqualTo("failed");
      assertThat(failed.at("/counts/deadLettered").asLong()).isEqualTo(1);
      assertThat(failed.get("message").asText()).contains("more than max_bad_records 0");
      assertThat(last(events, "2024-03-02").at("/run/facets/errorMessage/message").asText())
          .isEqualTo(failed.get("message").asText());
    }
  }

  @Test
  void anUnchangedWindowCompletesWithTheLedgersFingerprint() throws Exception {
    try (Receiver backend = new Receiver()) {
      Path p = pipeline(DAY1, "lineage:\n  url: " + backend.url());
      assertThat(Cli.run("run", p.toString()).exit()).isZero();
      assertThat(Cli.run("run", p.toString()).exit()).isZero();
      List<JsonNode> events =
          events(backend.requests().stream().map(Receiver.Request::body).toList());
      assertThat(kinds(events))
          .containsExactly(
              "2024-03-01 START", "2024-03-01 COMPLETE", "2024-03-01 START", "2024-03-01 COMPLETE");
      JsonNode first = events.get(1).at("/run/facets/idem");
      JsonNode second = events.get(3).at("/run/facets/idem");
      assertThat(second.get("result").asText()).isEqualTo("unchanged");
      assertThat(second.get("inputFingerprint").asText())
          .isEqualTo(first.get("inputFingerprint").asText());
      assertThat(events.get(3).at("/job/namespace").asText()).isEqualTo("idem");
    }
  }

  @Test
  void eventsCanGoToAFileOfJsonLines() throws Exception {
    Path p = pipeline(DAY1, "lineage:\n  file: lineage.jsonl");
    assertThat(Cli.run("run", p.toString()).exit()).isZero();
    List<JsonNode> events = events(Files.readAllLines(dir.resolve("lineage.jsonl")));
    assertThat(kinds(events)).containsExactly("2024-03-01 START", "2024-03-01 COMPLETE");
  }

  @Test
  void aLineageEndpointThatIsDownDoesNotFailTheLoadAndIsReportedOnce() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path p =
        pipeline(
            DAY1 + "3,cyd,3.00,2024-03-02 08:00:00\n",
            "lineage:\n  url: http://127.0.0.1:" + closed);
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("2024-03-01  LOADED", "2024-03-02  LOADED");
    String warning = "idem: warning: lineage: could not send an event";
    assertThat(r.err()).contains(warning);
    assertThat(r.err().indexOf(warning)).isEqualTo(r.err().lastIndexOf(warning));
    assertThat(r.err()).contains("the run goes on without lineage");
  }

  @Test
  void aLineageSectionNeedsAUrlOrAFile() throws Exception {
    Path p = pipeline(DAY1, "lineage:\n  namespace: etl");
    Cli.Result r = Cli.run("run", p.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .contains(
            "lineage: expected one of url (an HTTP endpoint) and file (JSON lines), not neither");
  }
}
