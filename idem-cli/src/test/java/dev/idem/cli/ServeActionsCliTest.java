package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.retry.RetryPolicy;
import dev.idem.serve.ServeSettings;
import dev.idem.serve.ServedPipeline;
import dev.idem.serve.WebServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem serve --allow-actions} end to end on a CSV pipeline: a day whose file changed after
 * the load is marked stale (the file source's own fingerprint), and the page's "re-run" runs {@code
 * idem run FILE --window W} itself, after which the window is loaded again and no longer stale.
 */
class ServeActionsCliTest {
  private static final Pattern TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  @TempDir Path dir;

  private void day(int day, String customer) throws Exception {
    StringBuilder csv = new StringBuilder("order_id,customer,amount,ingested_at\n");
    for (int i = 0; i < 3; i++) {
      csv.append(day * 1000 + i).append(',').append(customer).append(i);
      csv.append(",1.00,2024-03-0").append(day).append(" 08:00:00\n");
    }
    Files.writeString(dir.resolve("data/day-" + day + ".csv"), csv, StandardCharsets.UTF_8);
  }

  @Test
  void theReRunActionIsIdemRunOnThatWindowAndClearsTheStaleMarker() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path file = dir.resolve("pipeline.yaml");
    String url = "jdbc:duckdb:" + dir.resolve("orders.duckdb");
    Files.writeString(file, OrdersPipeline.yaml("orders", "data/*.csv", null, url, ""));
    day(1, "a");
    day(2, "a");
    assertThat(Cli.run("run", file.toString()).exit()).isZero();
    day(2, "b");

    Idem idem = Cli.quiet();
    List<PipelineDefinition> opened = new ArrayList<>();
    List<ServedPipeline> served = ServeCommand.served(List.of(file), idem, opened);
    ServeSettings settings =
        new ServeSettings(
            "127.0.0.1",
            0,
            ServeSettings.localHosts("127.0.0.1", List.of()),
            ServeSettings.RawInput.SHOW,
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            new ServeActionsCli(idem),
            () -> RunServices.defaults().withRetry(RetryPolicy.NONE));
    HttpClient http = HttpClient.newHttpClient();
    try (WebServer server = new WebServer(served, settings).start()) {
      String window = server.address() + "pipelines/orders/window?id=2024-03-02";
      String before = get(http, window);
      assertThat(before).contains("<td>input now</td><td>changed since the load (stale)");
      assertThat(get(http, server.address() + "pipelines/orders"))
          .contains("aria-label=\"2024-03-02: done, input changed since the load\"")
          .contains("aria-label=\"2024-03-01: done\"");
      Matcher token = TOKEN.matcher(before);
      assertThat(token.find()).isTrue();

      HttpResponse<String> action =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(server.address() + "pipelines/orders/actions/rerun"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "csrf="
                              + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8)
                              + "&window=2024-03-02"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(action.statusCode()).as(action.body()).isEqualTo(200);
      assertThat(action.body())
          .contains("idem run " + file + " --window 2024-03-02")
          .contains("<span id=\"action-exit\">0</span>");
      String after = get(http, window);
      assertThat(after).contains("<td>input now</td><td>unchanged since the load</td>");
      assertThat(after).contains("<td>attempts</td><td class=\"n\">2</td>", "updated 3");
    } finally {
      opened.forEach(PipelineDefinition::close);
    }
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
