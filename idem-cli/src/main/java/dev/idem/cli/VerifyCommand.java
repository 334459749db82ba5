package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.WindowPlan;
import dev.idem.verify.CheckResult;
import dev.idem.verify.Verifier;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code idem verify}: proves a pipeline idempotent on some windows, on scratch targets beside its
 * destination (a temporary DuckDB file; a scratch database on the same PostgreSQL server). The
 * pipeline's own target and ledger are never written.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Prove that a pipeline is idempotent on some windows, without touching its target.",
      "The input of the windows is read once and replayed; each check runs on a new scratch target (a temporary DuckDB file,",
      "or a scratch database on the same PostgreSQL server, which needs CREATEDB) and compares the state it leaves with a clean run's:",
      "clean, rerun, rerun-forced, a crash at every fault point then a retry, overlapping ranges, concurrent runners, changed input,",
      "key uniqueness, and every load's row balance. Target tables are compared in memory: verify a sample of windows.",
      "With --engine spark the input is read by Spark tasks, and engine-read checks that Spark reads it again the same,",
      "record for record, as this process's reader does."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every check passed or was skipped",
      "1:a check failed",
      "2:bad usage or configuration"
    })
final class VerifyCommand extends PipelineCommand {
  @Mixin WindowSelection selection;

  @Option(
      names = "--runners",
      paramLabel = "N",
      defaultValue = "4",
      description = "Runners racing in the concurrent check (default: ${DEFAULT-VALUE}).")
  int runners;

  @Mixin EngineOptions engineOptions;

  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    Pipeline pipeline = definition.pipeline();
    if (pipeline.windows().kind() == WindowKind.OFFSETS) {
      throw new ConfigException(
          "idem verify does not check stream pipelines yet: a kafka source's windows are planned from the"
              + " ledger as they load, and verify replays fixed windows");
    }
    if (definition.destination().noScratch().isPresent()) {
      throw new ConfigException(
          "idem verify needs a database destination: "
              + definition.destination().noScratch().get());
    }
    // windows chosen on the command line are checked before an engine starts; the input's are
    // listed by the engine's source (on Spark, the files learned by tasks)
    Optional<List<Window>> chosen = selection.chosen(pipeline, null);
    RunServices services = idem.services.get();
    Engine plugin = engineOptions.plugin();
    List<Window> windows;
    List<CheckResult> results;
    if (plugin == null) {
      windows = chosen.orElseGet(() -> WindowPlan.listed(pipeline));
      results = verifier(definition, pipeline, windows, services).verify();
    } else {
      // the engine reads the input the checks replay; the engine-read check reads it again through
      // the engine and through this process's reader, and compares
      try (Engine.Run on = plugin.start(definition, config.sets, engineOptions.master)) {
        windows = chosen.orElseGet(() -> WindowPlan.listed(on.definition().pipeline()));
        results =
            verifier(
                    definition,
                    on.definition().pipeline(),
                    windows,
                    services.withWorkers(on.workers()))
                .readBy(engineOptions.engine, pipeline.source())
                .verify();
      }
    }
    boolean failed = results.stream().anyMatch(CheckResult::failed);
    int exit = failed ? ExitCode.FAILED : ExitCode.OK;
    if (output.json()) {
      idem.println(json(pipeline.name(), windows, results, exit));
    } else {
      TextTable table = new TextTable("check", "verdict", ">ms", "detail");
      results.forEach(
          r ->
              table.row(
                  r.check(), r.verdict().name().toLowerCase(Locale.ROOT), r.millis(), r.detail()));
      table.lines().forEach(idem::println);
      long fails = results.stream().filter(CheckResult::failed).count();
      idem.println(
          pipeline.name()
              + ": "
              + (failed
                  ? "NOT idempotent, " + fails + " of " + results.size() + " checks failed"
                  : "idempotent on "
                      + windows.size()
                      + " window"
                      + (windows.size() == 1 ? "" : "s")
                      + " ("
                      + results.size()
                      + " checks)"));
    }
    return exit;
  }

  private Verifier verifier(
      PipelineDefinition definition,
      Pipeline pipeline,
      List<Window> windows,
      RunServices services) {
    return new Verifier(
        pipeline,
        windows,
        s -> idem.destinations.scratch(definition.destination(), s),
        services,
        runners);
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    throw new IllegalStateException("verify never opens the pipeline's destination");
  }

  private static String json(
      String pipeline, List<Window> windows, List<CheckResult> results, int exit) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", pipeline);
    doc.put("windows", windows.stream().map(Window::id).toList());
    doc.put("exit_code", exit);
    List<Map<String, Object>> checks = new ArrayList<>();
    for (CheckResult r : results) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("check", r.check());
      c.put("verdict", r.verdict().name().toLowerCase(Locale.ROOT));
      c.put("millis", r.millis());
      c.put("detail", r.detail());
      checks.add(c);
    }
    doc.put("checks", checks);
    return ReportView.write(doc);
  }
}
