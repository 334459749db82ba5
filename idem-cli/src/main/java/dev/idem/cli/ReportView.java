package dev.idem.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.idem.ledger.WindowCounts;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Renders a run's report: a per-window table and a summary line for people, or one JSON document
 * with stable snake_case field names for programs.
 */
final class ReportView {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportView() {}

  /**
   * A count column of the run table, in the order of the rule read = discarded + dead-lettered +
   * rolled back + reshaped + folded + inserted + updated + unchanged + skipped + deleted; replaced
   * (old rows removed) is not part of it. Rolled back is nonzero only for a failed window.
   */
  record Count(String name, ToLongFunction<WindowCounts> value) {}

  /** The outcome counts after {@code read}: hidden from the table when zero for every window. */
  static final List<Count> OUTCOMES =
      List.of(
          new Count("discarded", WindowCounts::discarded),
          new Count("dead-lettered", WindowCounts::deadLettered),
          new Count("rolled back", WindowCounts::rolledBack),
          new Count("reshaped", WindowCounts::reshaped),
          new Count("folded", WindowCounts::folded),
          new Count("inserted", WindowCounts::inserted),
          new Count("updated", WindowCounts::updated),
          new Count("unchanged", WindowCounts::unchanged),
          new Count("skipped", WindowCounts::skipped),
          new Count("deleted", WindowCounts::deleted),
          new Count("replaced", WindowCounts::replaced));

  /** Whose counts the table shows: the others' are "-". */
  static boolean counted(WindowOutcome o) {
    return o.result() == Result.LOADED
        || o.result() == Result.UNCHANGED
        || o.result() == Result.FAILED;
  }

  /**
   * The run table and its summary. Without {@code wide} an outcome column that is zero for every
   * window is left out, and so is the message column when no window has one. {@code target rows} is
   * what the target holds for each window now, from {@code targetRows} (the ledger's counts after
   * the run, by window id), so the column adds up to the table's rows; a window missing there shows
   * its count at its own commit.
   */
  static List<String> text(RunReport report, boolean wide, Map<String, Long> targetRows) {
    List<String> lines = new ArrayList<>();
    if (!report.outcomes().isEmpty()) {
      List<Count> shown =
          OUTCOMES.stream()
              .filter(
                  c ->
                      wide
                          || report.outcomes().stream()
                              .anyMatch(o -> counted(o) && c.value().applyAsLong(o.counts()) != 0))
              .toList();
      List<String> messages = report.outcomes().stream().map(ReportView::message).toList();
      boolean withMessage = wide || messages.stream().anyMatch(m -> !m.isEmpty());
      List<String> headers = new ArrayList<>(List.of("window", "result", ">read"));
      shown.forEach(c -> headers.add(">" + c.name()));
      headers.add(">target rows");
      if (withMessage) {
        headers.add("message");
      }
      TextTable table = new TextTable(headers.toArray(String[]::new));
      for (int i = 0; i < report.outcomes().size(); i++) {
        WindowOutcome o = report.outcomes().get(i);
        WindowCounts c = o.counts();
        boolean counted = counted(o);
        List<Object> row = new ArrayList<>(List.of(o.window().id(), o.result().name()));
        row.add(counted ? c.read() : "-");
        shown.forEach(n -> row.add(counted ? n.value().applyAsLong(c) : "-"));
        row.add(counted ? targetRows.getOrDefault(o.window().id(), c.targetRows()) : "-");
        if (withMessage) {
          row.add(messages.get(i));
        }
        table.row(row.toArray());
      }
      lines.addAll(table.lines());
    }
    lines.add(summary(report));
    long unchanged = report.count(Result.UNCHANGED);
    if (unchanged > 0 && unchanged == report.outcomes().size()) {
      lines.add(
          "Nothing written: every window is unchanged since it was loaded (same input, same definition). Use --force to reload.");
    }
    return lines;
  }

  /**
   * A window's message for the table: a loaded window's is worth showing only when it says more
   * than "loaded" (a schema drift); an unchanged window's never.
   */
  static String message(WindowOutcome o) {
    return o.result() == Result.UNCHANGED
            || (o.result() == Result.LOADED && o.message().equals("loaded"))
        ? ""
        : o.message();
  }

  static String summary(RunReport report) {
    int n = report.outcomes().size();
    StringBuilder others = new StringBuilder();
    long elsewhere = report.count(Result.DONE_ELSEWHERE);
    long held = report.count(Result.HELD);
    long notStarted = report.count(Result.NOT_STARTED);
    if (elsewhere > 0) {
      others.append(", ").append(elsewhere).append(" done by another runner");
    }
    if (held > 0) {
      others.append(", ").append(held).append(" still held by another runner (not done)");
    }
    if (notStarted > 0) {
      others.append(", ").append(notStarted).append(" not started (stop requested)");
    }
    long nulled =
        report.outcomes().stream()
            .filter(o -> o.result() == Result.LOADED)
            .mapToLong(o -> o.counts().valuesNulled())
            .sum();
    if (nulled > 0) {
      others
          .append(", ")
          .append(nulled)
          .append(nulled == 1 ? " value" : " values")
          .append(" nulled (idem dlq nulled)");
    }
    return String.format(
        Locale.ROOT,
        "%d window%s: %d loaded, %d unchanged, %d failed%s (pipeline %s, run %s)",
        n,
        n == 1 ? "" : "s",
        report.count(Result.LOADED),
        report.count(Result.UNCHANGED),
        report.count(Result.FAILED),
        others,
        report.pipeline(),
        report.runId());
  }

  /**
   * The report as JSON. {@code exit_code} is the report's; a run stopped by SIGTERM or Ctrl-C
   * ({@code stopped_by_signal}) exits with the signal's status (143, 130) instead.
   */
  static String json(RunReport report, String destination, int exitCode, boolean stoppedBySignal) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", report.pipeline());
    doc.put("run_id", report.runId());
    doc.put("destination", destination);
    doc.put("exit_code", exitCode);
    doc.put("stopped_by_signal", stoppedBySignal);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("windows", report.outcomes().size());
    for (Result r : Result.values()) {
      summary.put(r.name().toLowerCase(Locale.ROOT), report.count(r));
    }
    doc.put("summary", summary);
    List<Map<String, Object>> windows = new ArrayList<>();
    for (WindowOutcome o : report.outcomes()) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("window", o.window().id());
      w.put("result", o.label());
      w.put("attempts", o.attempts());
      w.putAll(o.counts().byName());
      w.put("message", o.message());
      windows.add(w);
    }
    doc.put("windows", windows);
    return write(doc);
  }

  static String write(Object doc) {
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }
}
