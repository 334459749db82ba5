package dev.idem.cli;

import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.run.WindowTimings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The results file of a run or backfill: one JSON document for programs, described by {@code
 * docs/schemas/run-results.schema.json} (its {@code results_version} changes only when a field
 * changes meaning or goes away). Per window: status, every ledger count, timings per phase in
 * seconds, attempts, message; for the run: totals (windows by status, counts added up), run id,
 * pipeline name and version, idem's version, start and end, exit code. A run that failed before it
 * had a report (the destination could not be prepared) is written with status {@code error} and the
 * error's message.
 */
final class RunResults {
  static final int VERSION = 1;

  private final String command;
  private final Pipeline pipeline;
  private final String pipelineFile;
  private final String destination;
  private final Instant started;

  RunResults(
      String command, Pipeline pipeline, String pipelineFile, String destination, Instant started) {
    this.command = command;
    this.pipeline = pipeline;
    this.pipelineFile = pipelineFile;
    this.destination = destination;
    this.started = started;
  }

  /** The results of a run that ended with a report. */
  String finished(RunReport report, int exitCode, boolean stoppedBySignal, Instant ended) {
    Map<String, Object> doc = head(report.runId(), status(report, stoppedBySignal), ended);
    doc.put("exit_code", exitCode);
    doc.put("stopped_by_signal", stoppedBySignal);
    doc.put("error", null);
    doc.put("totals", totals(report));
    List<Map<String, Object>> windows = new ArrayList<>();
    for (WindowOutcome o : report.outcomes()) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("window", o.window().id());
      w.put("status", o.label());
      w.put("attempts", o.attempts());
      w.put("message", o.message());
      w.put("counts", o.counts().byName());
      w.put("timings", timings(o.timings()));
      windows.add(w);
    }
    doc.put("windows", windows);
    return ReportView.write(doc);
  }

  /** The results of a run that stopped on an error before it had a report. */
  String failed(String runId, RuntimeException e, int exitCode, Instant ended) {
    Map<String, Object> doc = head(runId, "error", ended);
    doc.put("exit_code", exitCode);
    doc.put("stopped_by_signal", false);
    doc.put("error", Map.of("message", ErrorHandler.message(e)));
    doc.put("totals", totals(new RunReport(pipeline.name(), runId, List.of())));
    doc.put("windows", List.of());
    return ReportView.write(doc);
  }

  private Map<String, Object> head(String runId, String status, Instant ended) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("results_version", VERSION);
    doc.put("idem_version", idemVersion());
    doc.put("command", command);
    doc.put("run_id", runId);
    doc.put("status", status);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", pipeline.name());
    p.put("version", pipeline.version());
    p.put("file", pipelineFile);
    p.put("definition_hash", pipeline.definitionHash());
    doc.put("pipeline", p);
    doc.put("destination", destination);
    doc.put("started_at", started.toString());
    doc.put("ended_at", ended.toString());
    doc.put("elapsed_seconds", seconds(Duration.between(started, ended)));
    return doc;
  }

  /**
   * ok, partly_failed, failed, held (as the exit codes 0, 3, 1, 4 say), or stopped (a signal asked
   * the run to stop).
   */
  static String status(RunReport report, boolean stoppedBySignal) {
    if (stoppedBySignal) {
      return "stopped";
    }
    return switch (LoadCommand.exitCode(report)) {
      case ExitCode.OK -> "ok";
      case ExitCode.HELD -> "held";
      case ExitCode.PARTLY_FAILED -> "partly_failed";
      default -> "failed";
    };
  }

  private static Map<String, Object> totals(RunReport report) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("windows", report.outcomes().size());
    Map<String, Object> byStatus = new LinkedHashMap<>();
    for (Result r : Result.values()) {
      byStatus.put(r.name().toLowerCase(Locale.ROOT), report.count(r));
    }
    t.put("by_status", byStatus);
    t.put("counts", sum(report.outcomes()).byName());
    Map<String, Object> times = new LinkedHashMap<>();
    times.put("read", total(report, WindowTimings::read));
    times.put("stage", total(report, WindowTimings::stage));
    times.put("apply", total(report, WindowTimings::apply));
    times.put("commit", total(report, WindowTimings::commit));
    t.put("timings", times);
    return t;
  }

  private static BigDecimal total(RunReport report, Function<WindowTimings, Duration> phase) {
    return seconds(
        report.outcomes().stream()
            .map(o -> phase.apply(o.timings()))
            .reduce(Duration.ZERO, Duration::plus));
  }

  /**
   * The windows' counts added up; {@code target_rows} too, the sum of what each window's rows are
   * in the target after the run.
   */
  private static WindowCounts sum(List<WindowOutcome> outcomes) {
    return new WindowCounts(
        add(outcomes, WindowCounts::read),
        add(outcomes, WindowCounts::discarded),
        add(outcomes, WindowCounts::deadLettered),
        add(outcomes, WindowCounts::reshaped),
        add(outcomes, WindowCounts::folded),
        add(outcomes, WindowCounts::inserted),
        add(outcomes, WindowCounts::updated),
        add(outcomes, WindowCounts::unchanged),
        add(outcomes, WindowCounts::skipped),
        add(outcomes, WindowCounts::deleted),
        add(outcomes, WindowCounts::replaced),
        add(outcomes, WindowCounts::targetRows),
        add(outcomes, WindowCounts::rolledBack),
        add(outcomes, WindowCounts::valuesNulled));
  }

  private static long add(List<WindowOutcome> outcomes, ToLongFunction<WindowCounts> count) {
    return outcomes.stream().mapToLong(o -> count.applyAsLong(o.counts())).sum();
  }

  private static Map<String, Object> timings(WindowTimings t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("started_at", t.started() == null ? null : t.started().toString());
    m.put("ended_at", t.ended() == null ? null : t.ended().toString());
    m.put("read", seconds(t.read()));
    m.put("stage", seconds(t.stage()));
    m.put("apply", seconds(t.apply()));
    m.put("commit", seconds(t.commit()));
    m.put("total", seconds(t.total()));
    return m;
  }

  /** Seconds with millisecond precision (dbt's execution_time is seconds too). */
  static BigDecimal seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).setScale(3, RoundingMode.HALF_UP);
  }

  /** idem's version as its jar's manifest says; "development build" when run from classes. */
  static String idemVersion() {
    String v = Idem.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }
}
