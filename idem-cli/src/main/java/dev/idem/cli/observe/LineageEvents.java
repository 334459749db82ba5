package dev.idem.cli.observe;

import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.run.RunListener;
import dev.idem.run.WindowOutcome;
import dev.idem.source.Dataset;
import dev.idem.window.Window;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent.EventType;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.OpenLineageClientException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Sends an OpenLineage run per window: START when the window starts, then COMPLETE (loaded or
 * unchanged), FAIL (failed) or ABORT (held by another runner, or not started). The job is the
 * pipeline; the input dataset is the source's, the output the destination's target table. The run
 * carries an {@code idem} facet: the window, idem's run id, the input fingerprint (once the ledger
 * has one) and the window's counts. The OpenLineage run id is derived from idem's run id and the
 * window id, so the events of one window share it.
 *
 * <p>Lineage is an observer, not part of the load: an event that cannot be sent (the endpoint is
 * down, the file cannot be written) is reported through {@code warn}, and the run goes on without
 * sending more: a slow endpoint costs the run one timeout, not one per event.
 */
final class LineageEvents implements RunListener {
  static final URI PRODUCER = URI.create("https://github.com/idem-dev/idem");
  static final URI FACET_SCHEMA =
      URI.create("https://idem.dev/spec/facets/1-0-0/IdemRunFacet.json");

  private final OpenLineageClient client;
  private final OpenLineage ol = new OpenLineage(PRODUCER);
  private final String namespace;
  private final String job;
  private final String runId;
  private final Dataset input;
  private final Dataset output;
  private final Clock clock;
  private final Consumer<String> warn;
  private final AtomicBoolean warned = new AtomicBoolean();
  private final Map<String, String> fingerprints = new ConcurrentHashMap<>();

  LineageEvents(
      OpenLineageClient client,
      String namespace,
      String job,
      String runId,
      Dataset input,
      Dataset output,
      Clock clock,
      Consumer<String> warn) {
    this.client = client;
    this.namespace = namespace;
    this.job = job;
    this.runId = runId;
    this.input = input;
    this.output = output;
    this.clock = clock;
    this.warn = warn;
  }

  @Override
  public void started(Window window) {
    emit(window, EventType.START, null);
  }

  @Override
  public void recorded(Window window, WindowState state) {
    if (state.fingerprint() != null) {
      fingerprints.put(window.id(), state.fingerprint());
    }
  }

  @Override
  public void finished(WindowOutcome outcome) {
    EventType type =
        switch (outcome.result()) {
          case LOADED, UNCHANGED -> EventType.COMPLETE;
          case FAILED -> EventType.FAIL;
          case DONE_ELSEWHERE, HELD, NOT_STARTED -> EventType.ABORT;
        };
    emit(outcome.window(), type, outcome);
  }

  private void emit(Window window, EventType type, WindowOutcome outcome) {
    if (warned.get()) {
      return; // an endpoint that failed once (down, or slow past the timeout) is not waited on
      // again
    }
    OpenLineage.RunFacetsBuilder facets = ol.newRunFacetsBuilder();
    OpenLineage.RunFacet facet = new IdemRunFacet();
    Map<String, Object> idem = facet.getAdditionalProperties();
    idem.put("windowId", window.id());
    idem.put("runId", runId);
    if (outcome != null) {
      idem.put("result", outcome.label());
      idem.put("attempts", outcome.attempts());
      idem.put("counts", counts(outcome.counts()));
      String fingerprint = fingerprints.remove(window.id());
      if (fingerprint != null) {
        idem.put("inputFingerprint", fingerprint);
      }
      if (type == EventType.FAIL && outcome.message() != null) {
        idem.put("message", outcome.message());
        facets.errorMessage(
            ol.newErrorMessageRunFacetBuilder()
                .message(outcome.message())
                .programmingLanguage("JAVA")
                .build());
      }
    }
    OpenLineage.RunEvent event =
        ol.newRunEventBuilder()
            .eventType(type)
            .eventTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
            .run(ol.newRun(runUuid(window), facets.put("idem", facet).build()))
            .job(ol.newJobBuilder().namespace(namespace).name(job).build())
            .inputs(
                List.of(
                    ol.newInputDatasetBuilder()
                        .namespace(input.namespace())
                        .name(input.name())
                        .build()))
            .outputs(
                List.of(
                    ol.newOutputDatasetBuilder()
                        .namespace(output.namespace())
                        .name(output.name())
                        .build()))
            .build();
    try {
      synchronized (client) {
        client.emit(event);
      }
    } catch (OpenLineageClientException e) {
      if (warned.compareAndSet(false, true)) {
        warn.accept(
            "lineage: could not send an event ("
                + e.getMessage()
                + "); the run goes on without lineage");
      }
    }
  }

  /** The {@code idem} run facet: its fields are additional properties, its schema idem's own. */
  private static final class IdemRunFacet extends OpenLineage.DefaultRunFacet {
    IdemRunFacet() {
      super(PRODUCER);
    }

    @Override
    public URI get_schemaURL() {
      return FACET_SCHEMA;
    }
  }

  /** The OpenLineage run of a window in this idem run: the same for all its events. */
  private UUID runUuid(Window window) {
    return UUID.nameUUIDFromBytes((runId + "/" + window.id()).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Long> counts(WindowCounts c) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("read", c.read());
    m.put("inserted", c.inserted());
    m.put("updated", c.updated());
    m.put("unchanged", c.unchanged());
    m.put("skipped", c.skipped());
    m.put("deleted", c.deleted());
    m.put("folded", c.folded());
    m.put("discarded", c.discarded());
    m.put("deadLettered", c.deadLettered());
    m.put("rolledBack", c.rolledBack());
    m.put("targetRows", c.targetRows());
    return m;
  }
}
