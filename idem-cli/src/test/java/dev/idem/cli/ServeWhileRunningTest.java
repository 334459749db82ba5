package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.cli.crash.ChildIdem;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.retry.RetryPolicy;
import dev.idem.serve.ServeSettings;
import dev.idem.serve.ServedPipeline;
import dev.idem.serve.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem serve} is never in the way of a run: while a person keeps reloading the pages of a
 * DuckDB pipeline, an {@code idem run} in another process (DuckDB admits one writing process) loads
 * new windows and succeeds, and the pages then show them.
 */
class ServeWhileRunningTest {
  private static final String HEADER = "order_id,customer,amount,ingested_at\n";
  @TempDir Path dir;

  private void days(int from, int to) throws Exception {
    StringBuilder csv = new StringBuilder(HEADER);
    for (int day = from; day <= to; day++) {
      for (int i = 0; i < 50; i++) {
        csv.append(day * 1000 + i)
            .append(",c")
            .append(i)
            .append(",1.00,2024-03-")
            .append(day < 10 ? "0" : "")
            .append(day)
            .append(" 08:00:00\n");
      }
    }
    Files.writeString(dir.resolve("data/orders-" + from + ".csv"), csv, StandardCharsets.UTF_8);
  }

  @Test
  void aRunInAnotherProcessSucceedsWhileThePagesAreBrowsed() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path file = dir.resolve("pipeline.yaml");
    String url = "jdbc:duckdb:" + dir.resolve("orders.duckdb");
    Files.writeString(file, OrdersPipeline.yaml("orders", "data/*.csv", null, url, ""));
    days(1, 3);
    assertThat(Cli.run("run", file.toString()).exit()).isZero();

    Idem idem = Cli.quiet();
    List<PipelineDefinition> opened = new ArrayList<>();
    List<ServedPipeline> served = ServeCommand.served(List.of(dir), idem, opened);
    assertThat(served).extracting(ServedPipeline::name).containsExactly("orders");
    ServeSettings settings =
        new ServeSettings(
            "127.0.0.1",
            0,
            ServeSettings.localHosts("127.0.0.1", List.of()),
            ServeSettings.RawInput.SHOW,
            Duration.ofSeconds(10),
            () -> RunServices.defaults().withRetry(RetryPolicy.NONE));
    HttpClient http = HttpClient.newHttpClient();
    try (WebServer server = new WebServer(served, settings).start()) {
      days(4, 28);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger pages = new AtomicInteger();
      Thread browser =
          new Thread(
              () -> {
                while (running.get()) {
                  for (String path : List.of("", "pipelines/orders", "api/pipelines")) {
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create(server.address() + path)).build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 200) {
                        pages.incrementAndGet();
                      }
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              });
      browser.start();
      ChildIdem.Result run;
      int before;
      try {
        before = pages.get();
        run = ChildIdem.run(dir, List.of(), "run", file.toString());
      } finally {
        running.set(false);
        browser.join();
      }
      assertThat(run.exit()).as(run.stderr()).isZero();
      assertThat(pages.get()).as("pages served while the run ran").isGreaterThan(before);
      HttpResponse<String> overview =
          http.send(
              HttpRequest.newBuilder(URI.create(server.address() + "api/pipelines")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(overview.body()).contains("\"windows\" : 28", "\"done\" : 28");
    } finally {
      opened.forEach(PipelineDefinition::close);
    }
  }
}
