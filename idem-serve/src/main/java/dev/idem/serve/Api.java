package dev.idem.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.idem.check.CheckResult;
import dev.idem.ledger.WindowState;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pages' data as JSON under {@code /api/} (docs/serve.md documents each document). */
final class Api {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ServeSettings settings;

  Api(ServeSettings settings) {
    this.settings = settings;
  }

  static String write(Object doc) {
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  String overview(List<Inspection.View> views) {
    return write(Map.of("pipelines", views.stream().map(Api::summary).toList()));
  }

  private static Map<String, Object> summary(Inspection.View v) {
    Map<String, Object> m = head(v);
    if (v.problem() == null) {
      m.put("windows", v.states().size());
      for (String s : List.of("done", "failed", "running", "stale")) {
        m.put(s, v.count(s));
      }
      m.put("open_dead_letters", v.openLetters().size());
      m.put("last_finished_at", v.last().map(s -> text(s.finishedAt())).orElse(null));
    }
    return m;
  }

  private static Map<String, Object> head(Inspection.View v) {
    ServedPipeline p = v.served();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pipeline", p.name());
    m.put("file", p.file());
    m.put("destination", p.readable() ? p.destination().describe() : null);
    m.put("problem", v.problem());
    m.put("note", v.note());
    return m;
  }

  String pipeline(Inspection.View v, InputCheck.Outcome input) {
    Map<String, Object> m = summary(v);
    m.put("input_changed", input.changed());
    m.put("input_check_cut", input.cut());
    m.put("windows", v.states().stream().map(s -> window(v, s, input)).toList());
    return write(m);
  }

  private static Map<String, Object> window(
      Inspection.View v, WindowState s, InputCheck.Outcome input) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("window", s.windowId());
    w.put("status", v.status(s));
    w.put("check", Pages.worst(v.checks().getOrDefault(s.windowId(), List.of())));
    w.put("counts", s.counts().byName());
    w.put("balanced", s.counts().balanced());
    w.put("attempts", s.attempts());
    w.put("run_id", s.runId());
    w.put("pipeline_version", s.pipelineVersion());
    w.put("owner", s.owner());
    w.put("owner_alive", v.alive().get(s.windowId()));
    w.put("lease_expires", text(s.leaseExpires()));
    w.put("started_at", text(s.startedAt()));
    w.put("finished_at", text(s.finishedAt()));
    w.put("fingerprint", s.fingerprint());
    w.put("schema_fingerprint", s.schema() == null ? null : s.schema().fingerprint());
    w.put("schema_drift", s.schema() == null ? null : s.schema().drift());
    w.put("source_position", s.sourcePosition());
    w.put("error", s.error());
    Duration age = InputCheck.age(s, v.now());
    InputCheck.Result r = input.of(s);
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("fingerprint_age_seconds", age == null ? null : age.toSeconds());
    in.put("state", r.state());
    in.put("stale", r.state().equals(InputCheck.Result.CHANGED));
    in.put("detail", r.detail().isEmpty() ? null : r.detail());
    w.put("input", in);
    return w;
  }

  String window(Inspection.WindowView w, InputCheck.Outcome input) {
    Map<String, Object> m = head(w.pipeline());
    if (w.state() == null) {
      return write(m);
    }
    m.put("window", window(w.pipeline(), w.state(), input));
    boolean show = settings.rawInput() == ServeSettings.RawInput.SHOW;
    m.put(
        "dead_letters",
        w.letters().stream()
            .map(
                l -> {
                  Map<String, Object> d = new LinkedHashMap<>();
                  d.put("position", l.position());
                  d.put("reason", l.reason());
                  d.put("raw", show ? l.raw() : null);
                  d.put("raw_bytes", l.rawBytes());
                  d.put("raw_truncated", l.truncated());
                  d.put("created_at", text(l.createdAt()));
                  d.put("replayed_at", text(l.replayedAt()));
                  return d;
                })
            .toList());
    m.put(
        "replay_command",
        w.letters().stream().anyMatch(l -> !l.replayed())
            ? "idem dlq replay " + w.pipeline().served().file()
            : null);
    return write(m);
  }

  String spotCheck(ServedPipeline p, SpotCheck.Outcome outcome) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pipeline", p.name());
    m.put("problem", outcome.problem());
    m.put("millis", outcome.millis());
    m.put(
        "results",
        outcome.results().stream()
            .map(
                (CheckResult r) -> {
                  Map<String, Object> c = new LinkedHashMap<>();
                  c.put("window", r.tableWide() ? null : r.windowId());
                  c.put("check", r.check().label());
                  c.put("status", r.status().label());
                  c.put("detail", r.detail());
                  return c;
                })
            .toList());
    return write(m);
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
