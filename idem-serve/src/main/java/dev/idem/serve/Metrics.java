package dev.idem.serve;

import dev.idem.check.CheckResult;
import dev.idem.ledger.WindowState;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /metrics}: gauges read from each served pipeline's ledger, as the page reads it (one
 * request, each destination opened read-only and closed), in Prometheus' text format 0.0.4 with the
 * {@code idem_} prefix and the {@code pipeline} label of {@code idem run}'s own metrics
 * (docs/operations.md). They are the ledger's state, not counts of this server's events.
 */
final class Metrics {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final List<String> STATUSES = List.of("done", "failed", "running", "stale");

  private Metrics() {}

  static String text(List<Inspection.View> views) {
    StringBuilder out = new StringBuilder();
    help(out, "idem_ledger_up", "1 when the pipeline's ledger could be read, 0 when not");
    views.forEach(v -> sample(out, "idem_ledger_up", v, "", v.problem() == null ? 1 : 0));
    List<Inspection.View> read = views.stream().filter(v -> v.problem() == null).toList();
    help(out, "idem_ledger_windows", "Windows in the ledger, by status");
    for (Inspection.View v : read) {
      for (String s : STATUSES) {
        sample(out, "idem_ledger_windows", v, ",status=\"" + s + "\"", v.count(s));
      }
    }
    help(out, "idem_ledger_open_dead_letters", "Dead letters not replayed yet");
    read.forEach(v -> sample(out, "idem_ledger_open_dead_letters", v, "", v.openLetters().size()));
    help(out, "idem_ledger_rows_in_target", "Rows in the target as the ledger records them");
    read.forEach(
        v ->
            sample(
                out,
                "idem_ledger_rows_in_target",
                v,
                "",
                v.states().stream().mapToLong(s -> s.counts().targetRows()).sum()));
    help(out, "idem_ledger_failed_checks", "Recorded check results that failed (idem check)");
    read.forEach(
        v ->
            sample(
                out,
                "idem_ledger_failed_checks",
                v,
                "",
                v.checks().values().stream()
                    .flatMap(List::stream)
                    .filter(CheckResult::failed)
                    .count()));
    help(
        out,
        "idem_ledger_last_finished_timestamp_seconds",
        "When a window of the pipeline last finished (seconds since the epoch)");
    for (Inspection.View v : read) {
      v.last()
          .map(WindowState::finishedAt)
          .ifPresent(
              t ->
                  sample(
                      out,
                      "idem_ledger_last_finished_timestamp_seconds",
                      v,
                      "",
                      t.toEpochMilli() / 1000.0));
    }
    return out.toString();
  }

  private static void help(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
  }

  private static void sample(
      StringBuilder out, String name, Inspection.View v, String labels, long value) {
    sample(out, name, v, labels, value + ".0");
  }

  private static void sample(
      StringBuilder out, String name, Inspection.View v, String labels, double value) {
    sample(out, name, v, labels, String.format(Locale.ROOT, "%.3f", value));
  }

  private static void sample(
      StringBuilder out, String name, Inspection.View v, String labels, String value) {
    out.append(name)
        .append("{pipeline=\"")
        .append(label(v.served().name()))
        .append('"')
        .append(labels)
        .append("} ")
        .append(value)
        .append('\n');
  }

  /** A label value as the text format wants it: backslash, double quote and newline escaped. */
  static String label(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
