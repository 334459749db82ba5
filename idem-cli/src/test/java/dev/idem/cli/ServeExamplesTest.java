package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.serve.ServeSettings;
import dev.idem.serve.ServedPipeline;
import dev.idem.serve.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/serve.md promises a new user: after the demo ({@code ./idem run
 * examples/orders/pipeline.yaml}), {@code idem serve examples/} shows the orders pipeline with its
 * five days loaded.
 */
class ServeExamplesTest {
  @TempDir Path tmp;

  @Test
  void afterTheDemoTheExamplesPageShowsFiveDaysLoaded() throws Exception {
    Examples.copy(tmp);
    Cli.Result demo = Cli.run("run", tmp.resolve("orders/pipeline.yaml").toString());
    assertThat(demo.exit()).as(demo.err()).isZero();

    Idem idem = Cli.quiet();
    List<PipelineDefinition> opened = new ArrayList<>();
    List<ServedPipeline> served = ServeCommand.served(List.of(tmp), idem, opened);
    assertThat(served).extracting(ServedPipeline::name).contains("orders");
    ServeSettings settings =
        new ServeSettings(
            "127.0.0.1",
            0,
            ServeSettings.localHosts("127.0.0.1", List.of()),
            ServeSettings.RawInput.SHOW,
            Duration.ofSeconds(10),
            RunServices::defaults);
    HttpClient http = HttpClient.newHttpClient();
    try (WebServer server = new WebServer(served, settings).start()) {
      HttpResponse<String> overview = get(http, server.address());
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.body()).contains("orders");
      HttpResponse<String> grid = get(http, server.address() + "pipelines/orders");
      assertThat(grid.statusCode()).isEqualTo(200);
      for (int day = 1; day <= 5; day++) {
        assertThat(grid.body()).contains("aria-label=\"2024-03-0" + day + ": done\"");
      }
    } finally {
      opened.forEach(PipelineDefinition::close);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
