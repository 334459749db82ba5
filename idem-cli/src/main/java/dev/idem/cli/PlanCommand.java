package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.WindowStatus;
import dev.idem.run.DryRun;
import dev.idem.run.DryRun.Action;
import dev.idem.run.DryRun.Planned;
import dev.idem.run.RunOptions;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code idem plan}: a dry run. Which windows a run with the same options would load, skip or
 * refuse, and why ({@link DryRun}), without writing: no claim, no ledger, no table; a destination
 * that does not exist yet (a missing DuckDB file) is not created.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Dry run: which windows 'idem run' with the same options would load, skip (unchanged) or refuse"
          + " (held by another live runner, or a strategy the destination cannot do), and why.",
      "Writes nothing: no lease is taken, no ledger or table is created, a missing DuckDB file is not created.",
      "The input of windows done before is read to compare its fingerprint, as a run does."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE})
final class PlanCommand extends PipelineCommand {
  @Mixin WindowSelection selection;

  @Mixin RunSettings run;

  private List<Window> windows;

  @Override
  void beforeOpen(PipelineDefinition definition, RunServices services) {
    windows = selection.select(definition.pipeline(), run.logicalDate);
  }

  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    Optional<String> missing = definition.destination().missing();
    if (missing.isEmpty()) {
      return null;
    }
    return print(
        definition,
        DryRun.every(windows, Action.LOAD, "never loaded: " + missing.get()),
        options(definition));
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    RunOptions options = options(definition);
    return print(
        definition,
        DryRun.plan(
            destination, definition.pipeline(), windows, options, services.clock().instant()),
        options);
  }

  private RunOptions options(PipelineDefinition definition) {
    return run.options(definition.pipeline().windows().zone());
  }

  private int print(PipelineDefinition definition, List<Planned> plan, RunOptions options) {
    if (output.json()) {
      idem.println(json(definition, plan, options));
      return ExitCode.OK;
    }
    if (!plan.isEmpty()) {
      TextTable table = new TextTable("window", "would", "ledger", "why");
      for (Planned p : plan) {
        table.row(p.window().id(), label(p.action()), ledger(p), p.reason());
      }
      table.lines().forEach(idem::println);
    }
    idem.println(
        String.format(
            Locale.ROOT,
            "%d window%s: %d would load, %d would be skipped, %d refused (pipeline %s; nothing was written)",
            plan.size(),
            plan.size() == 1 ? "" : "s",
            count(plan, Action.LOAD),
            count(plan, Action.SKIP),
            count(plan, Action.REFUSE),
            definition.pipeline().name()));
    return ExitCode.OK;
  }

  private static String json(PipelineDefinition definition, List<Planned> plan, RunOptions o) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", definition.pipeline().name());
    doc.put("destination", definition.destination().describe());
    doc.put("force", o.force());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("windows", plan.size());
    for (Action a : Action.values()) {
      summary.put(label(a), count(plan, a));
    }
    doc.put("summary", summary);
    List<Map<String, Object>> windows = new ArrayList<>();
    for (Planned p : plan) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("window", p.window().id());
      w.put("action", label(p.action()));
      w.put("ledger_status", p.ledger().isEmpty() ? null : ledger(p));
      w.put("reason", p.reason());
      windows.add(w);
    }
    doc.put("windows", windows);
    return ReportView.write(doc);
  }

  private static String label(Action a) {
    return a.name().toLowerCase(Locale.ROOT);
  }

  private static String ledger(Planned p) {
    return p.ledger().map(s -> label(s.status())).orElse("-");
  }

  private static String label(WindowStatus s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static long count(List<Planned> plan, Action a) {
    return plan.stream().filter(p -> p.action() == a).count();
  }
}
