package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsChecks;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code idem check}: reconciles a pipeline's target with its ledger, records the results in the
 * ledger ({@code idem status} shows them) and exits 1 when a check failed. Never loads a window,
 * never creates or alters the target table.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Reconcile a target with its ledger; exit 1 on a failure.",
      "Per window in the ledger (all, or --window/--from/--to): target_rows (the rows the target holds for the window, by its lineage column,"
          + " against the ledger and against the strategy's relation to the rows its last load"
          + " kept) and growth (more rows than before with the same input);"
          + " table-wide: duplicate_keys (a key held by more than one row, whoever wrote them).",
      "Each result is PASS, WARN (worth a look, e.g. a window another runner is loading) or FAIL."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no check failed",
      "1:a check failed, or the command failed at run time",
      ExitCode.HELP_USAGE
    })
final class CheckCommand extends PipelineCommand {
  @Mixin WindowSelection selection;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Recorded with the results (default: a new UUID).")
  String runId;

  /**
   * A destination that does not exist yet (a missing DuckDB file) holds nothing to examine; opening
   * it would create it.
   */
  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    return neverRan(
        definition,
        () ->
            json(
                definition.pipeline().name(),
                definition.destination().describe(),
                null,
                List.of(),
                ExitCode.OK));
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    Pipeline pipeline = definition.pipeline();
    if (!(destination instanceof SupportsChecks checks)) {
      throw new ConfigException(
          "destination " + destination.describe() + " does not support reconciliation checks");
    }
    Optional<Set<String>> windows =
        selection.given()
            ? Optional.of(
                selection.select(pipeline).stream().map(Window::id).collect(Collectors.toSet()))
            : Optional.empty();
    String id = runId != null ? runId : UUID.randomUUID().toString();
    List<CheckResult> results = checks.check(pipeline, windows, id);
    int exit = results.stream().anyMatch(CheckResult::failed) ? ExitCode.FAILED : ExitCode.OK;
    String where = definition.destination().describe();
    if (output.json()) {
      idem.println(json(pipeline.name(), where, id, results, exit));
      return exit;
    }
    if (results.isEmpty()) {
      idem.println(
          "pipeline "
              + pipeline.name()
              + ": no "
              + (windows.isPresent() ? "selected " : "")
              + "windows in the ledger of "
              + where
              + ": nothing to check");
      return exit;
    }
    TextTable table = new TextTable("window", "check", "status", "detail");
    for (CheckResult r : results) {
      table.row(window(r), r.check().label(), r.status().name(), r.detail());
    }
    table.lines().forEach(idem::println);
    idem.println(summary(pipeline.name(), results));
    return exit;
  }

  /** How a result's window is shown: table-wide results as {@code (table)}. */
  static String window(CheckResult r) {
    return r.tableWide() ? "(table)" : r.windowId();
  }

  private static String summary(String pipeline, List<CheckResult> results) {
    long windows =
        results.stream().filter(r -> !r.tableWide()).map(CheckResult::windowId).distinct().count();
    List<String> parts = new ArrayList<>();
    for (CheckStatus s : CheckStatus.values()) {
      parts.add(results.stream().filter(r -> r.status() == s).count() + " " + s.label());
    }
    return results.size()
        + " check"
        + (results.size() == 1 ? "" : "s")
        + " on "
        + windows
        + " window"
        + (windows == 1 ? "" : "s")
        + ": "
        + String.join(", ", parts)
        + " (pipeline "
        + pipeline
        + ")";
  }

  private static String json(
      String pipeline, String destination, String runId, List<CheckResult> results, int exit) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", pipeline);
    doc.put("destination", destination);
    doc.put("run_id", runId);
    doc.put("exit_code", exit);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("checks", results.size());
    for (CheckStatus s : CheckStatus.values()) {
      summary.put(s.label(), results.stream().filter(r -> r.status() == s).count());
    }
    doc.put("summary", summary);
    doc.put("checks", results.stream().map(CheckCommand::json).toList());
    return ReportView.write(doc);
  }

  /** One result as JSON: {@code window} is null for a table-wide check. */
  static Map<String, Object> json(CheckResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("window", r.tableWide() ? null : r.windowId());
    m.put("check", r.check().label());
    m.put("status", r.status().label());
    m.put("detail", r.detail());
    m.put("checked_at", r.checkedAt() == null ? null : r.checkedAt().toString());
    return m;
  }
}
