package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.destination.Destination;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.RunServices;
import dev.idem.run.Runner;
import dev.idem.window.Window;
import java.util.List;
import picocli.CommandLine.Mixin;

/** Base of the commands that load windows (run, backfill): runs them and reports the outcome. */
abstract class LoadCommand extends PipelineCommand {
  @Mixin
  RunSettings run;

  @Override
  RunServices services(RunServices base) {
    return run.services(base);
  }

  /** Loads the windows, prints the report, and returns 0, 1 (failed) or 3 (partly failed). */
  int load(PipelineDefinition definition, Destination destination, RunServices services, List<Window> windows, RunOptions options) {
    return load(definition, runner -> runner.run(definition.pipeline(), windows, options), destination, services);
  }

  /** Runs {@code work} on a runner with a progress line, prints its report, and returns the exit code. */
  int load(PipelineDefinition definition, java.util.function.Function<Runner, RunReport> work,
           Destination destination, RunServices services) {
    ProgressLine progress = new ProgressLine(idem.err, idem.terminal && !output.json(), services.clock());
    RunReport report;
    try {
      report = work.apply(new Runner(destination, services, progress));
    } finally {
      progress.clear();
    }
    int exit = report.ok() ? ExitCode.OK : report.partlyFailed() ? ExitCode.PARTLY_FAILED : ExitCode.FAILED;
    if (output.json()) {
      idem.println(ReportView.json(report, definition.destination().describe(), exit));
    } else {
      ReportView.text(report).forEach(idem::println);
    }
    return exit;
  }
}
