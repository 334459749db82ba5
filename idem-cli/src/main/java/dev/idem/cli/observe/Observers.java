package dev.idem.cli.observe;

import dev.idem.cli.pipelinefile.LineageSettings;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.run.RunListener;
import dev.idem.run.RunReport;
import dev.idem.source.Dataset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What watches a run from outside: Prometheus metrics (served on a port while the run lasts, pushed
 * to a Pushgateway when it ends) and OpenLineage events, each only when configured. Open it before
 * the run, hand {@link #listener()} to the runner, call {@link #finished} with the report, close
 * it. Nothing here fails a run: problems are said through {@code warn}.
 */
public final class Observers implements AutoCloseable {
  /** How long a lineage HTTP request may take before the event is given up. */
  private static final int LINEAGE_TIMEOUT_MS = 5_000;

  private final Clock clock;
  private final Consumer<String> warn;
  private final long startedAt;
  private final List<RunListener> listeners = new ArrayList<>();
  private PrometheusMeterRegistry registry;
  private RunMetrics metrics;
  private MetricsEndpoint endpoint;
  private MetricsPush push;
  private OpenLineageClient lineage;

  private Observers(Clock clock, Consumer<String> warn) {
    this.clock = clock;
    this.warn = warn;
    this.startedAt = clock.millis();
  }

  /**
   * The observers a run's options ask for: metrics when {@code metricsPort} (0 for any free port)
   * or {@code pushUrl} is given, lineage when the pipeline file has a {@code lineage:} section.
   */
  public static Observers open(
      PipelineDefinition definition,
      String runId,
      Integer metricsPort,
      URI pushUrl,
      Clock clock,
      Consumer<String> warn) {
    String name = definition.pipeline().name();
    Observers o = new Observers(clock, warn);
    if (metricsPort != null || pushUrl != null) {
      o.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      o.registry.config().commonTags("pipeline", name);
      o.metrics = new RunMetrics(o.registry, clock);
      o.listeners.add(o.metrics);
      if (metricsPort != null) {
        o.endpoint = MetricsEndpoint.start(metricsPort, o.registry);
      }
      if (pushUrl != null) {
        o.push = new MetricsPush(pushUrl);
      }
    }
    LineageSettings settings = definition.lineage();
    if (settings != null) {
      // the client's own meters go to a registry of its own, not Micrometer's global one
      o.lineage = new OpenLineageClient(transport(settings), null, new SimpleMeterRegistry());
      Dataset output =
          new Dataset(definition.destination().describe(), definition.pipeline().target().table());
      o.listeners.add(
          new LineageEvents(
              o.lineage,
              settings.namespace(),
              name,
              runId,
              definition.pipeline().source().dataset(),
              output,
              clock,
              warn));
    }
    return o;
  }

  /** The port metrics are served on; -1 when they are not. */
  public int metricsPort() {
    return endpoint == null ? -1 : endpoint.port();
  }

  /** The listener to hand to the runner: every configured observer's. */
  public RunListener listener() {
    return listeners.isEmpty() ? RunListener.NONE : new RunListeners(listeners);
  }

  /** The run ended with {@code exit} (its name, e.g. OK): records it and pushes the metrics. */
  public void finished(RunReport report, String result) {
    if (metrics == null) {
      return;
    }
    metrics.runFinished(Duration.ofMillis(clock.millis() - startedAt), result);
    if (push != null) {
      push.push(report.pipeline(), registry)
          .ifPresent(why -> warn.accept("metrics: could not push to the Pushgateway: " + why));
    }
  }

  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.close();
    }
    if (lineage != null) {
      try {
        lineage.close();
      } catch (Exception e) {
        // the client's close declares Exception; an event not flushed is said, never fatal
        warn.accept("lineage: could not close the client: " + e.getMessage());
      }
    }
  }

  private static Transport transport(LineageSettings settings) {
    if (settings.file() != null) {
      return new FileTransport(new FileConfig(settings.file().toString()));
    }
    HttpConfig config = new HttpConfig();
    config.setUrl(settings.url());
    config.setTimeoutInMillis(LINEAGE_TIMEOUT_MS);
    if (settings.apiKey() != null) {
      ApiKeyTokenProvider auth = new ApiKeyTokenProvider();
      auth.setApiKey(settings.apiKey());
      config.setAuth(auth);
    }
    return new HttpTransport(config);
  }
}
