package dev.idem.cli.observe;

import dev.idem.connector.Secrets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Pushes a batch run's metrics to a Prometheus Pushgateway once the run ends: {@code PUT
 * BASE/metrics/job/idem/pipeline/NAME} with the text exposition format, replacing that group's
 * previous push (so each run's numbers stand alone). A failed push is reported, never a failed run.
 */
final class MetricsPush {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;

  MetricsPush(URI base) {
    this.base = base;
  }

  /** The group's URL for {@code pipeline}. */
  URI target(String pipeline) {
    String root = base.toString().replaceAll("/+$", "");
    return URI.create(
        root
            + "/metrics/job/idem/pipeline/"
            + URLEncoder.encode(pipeline, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** Pushes; returns why it failed, or empty once the gateway accepted it. */
  Optional<String> push(String pipeline, PrometheusMeterRegistry registry) {
    URI target = target(pipeline);
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(TIMEOUT)
            .header("Content-Type", MetricsEndpoint.CONTENT_TYPE)
            .PUT(HttpRequest.BodyPublishers.ofString(registry.scrape(), StandardCharsets.UTF_8))
            .build();
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        return Optional.of(
            shown(target) + " answered " + response.statusCode() + " " + response.body());
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(shown(target) + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(shown(target) + ": interrupted");
    }
  }

  /** The URL for messages: credentials in it masked. */
  private static String shown(URI target) {
    return Secrets.maskUrl(target.toString());
  }
}
