package dev.idem.cli;

import dev.idem.cli.observe.Observers;
import dev.idem.cli.observe.RunListeners;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.WindowState;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Mixin;

/** Base of the commands that load windows (run, backfill): runs them and reports the outcome. */
abstract class LoadCommand extends PipelineCommand {
  @Mixin RunSettings run;

  @Mixin ObserveOptions observe;

  @Mixin ResultsFile results;

  /** The run id of the options last made, for a results file of a run that ends in an error. */
  private String runId;

  @Mixin DisplayOptions display;

  @Override
  RunServices services(RunServices base) {
    return run.services(base);
  }

  /**
   * Loads the windows, prints the report, and returns 0 (every window done), 1 (none done) or 3
   * (partly done).
   */
  int load(
      PipelineDefinition definition,
      Destination destination,
      RunServices services,
      List<Window> windows,
      RunOptions options) {
    return load(
        definition,
        (runner, stop) -> runner.run(definition.pipeline(), windows, options, stop),
        destination,
        services,
        windows.size());
  }

  /**
   * The run's options: the command line's, waiting up to {@code --lock-timeout} for windows another
   * runner holds.
   */
  RunOptions options(PipelineDefinition definition) {
    RunOptions options =
        run.options(definition.pipeline().windows().zone()).withHeldWait(config.lockTimeout);
    runId = options.runId();
    return options;
  }

  /**
   * Runs {@code work} on a runner that shows its progress ({@link RunProgress}; {@code windows} is
   * how many it loads, -1 when not known), until it ends or SIGTERM or Ctrl-C asks it to stop
   * ({@link StopOnSignal}); prints its report, and returns the exit code.
   */
  int load(
      PipelineDefinition definition,
      BiFunction<Runner, BooleanSupplier, RunReport> work,
      Destination destination,
      RunServices services,
      long windows) {
    // -q silences the window lines too, not only the log; with JSON logs every line on stderr is
    // one JSON object for the shipper (the runner logs each window's commit)
    RunProgress.Style style =
        log.quiet || log.logFormat == LogOptions.LogFormat.json
            ? RunProgress.Style.NONE
            : RunProgress.style(display.progress, idem.terminal, output.json());
    RunResults results =
        new RunResults(
            spec.name(),
            definition.pipeline(),
            definition.file().toAbsolutePath().normalize().toString(),
            definition.destination().describe(),
            services.clock().instant());
    try (Observers observers = observers(definition, services);
        StopOnSignal stop = new StopOnSignal()) {
      Notifications.prepare(definition, destination);
      RunReport report;
      // the live display is closed (its line cleared) before the report is printed
      try (RunProgress progress =
          new RunProgress(
              style, idem.err, idem.secrets::redact, services.clock(), windows, idem.columns())) {
        report =
            work.apply(
                new Runner(destination, services, RunListeners.of(progress, observers.listener())),
                stop::requested);
      } catch (RuntimeException e) {
        writeResults(
            definition,
            results.failed(runId, e, ErrorHandler.exitCode(e), services.clock().instant()));
        throw e;
      }
      Notifications.deliver(
          definition,
          destination,
          services,
          line -> idem.err.println(idem.secrets.redact("idem: " + line)));
      int exit = report(definition, destination, report, stop.requested());
      observers.finished(report, RunResults.status(report, stop.requested()));
      boolean written =
          writeResults(
              definition,
              results.finished(report, exit, stop.requested(), services.clock().instant()));
      return !written && this.results.explicit() && exit == ExitCode.OK ? ExitCode.FAILED : exit;
    }
  }

  /**
   * Writes the results file, if any; false when it could not be written (said on stderr: the run's
   * data is committed all the same).
   */
  private boolean writeResults(PipelineDefinition definition, String json) {
    Optional<Path> file = results.path(definition);
    if (file.isEmpty()) {
      return true;
    }
    try {
      ResultsFile.write(file.get(), idem.secrets.redact(json));
      return true;
    } catch (IOException | RuntimeException e) {
      idem.error("could not write the results file " + file.get() + ": " + ErrorHandler.message(e));
      return false;
    }
  }

  /** The run's metrics and lineage, as its options and pipeline file configure them. */
  private Observers observers(PipelineDefinition definition, RunServices services) {
    return Observers.open(
        definition,
        options(definition).runId(),
        observe.metricsPort,
        observe.metricsPush,
        services.clock(),
        warning -> idem.err.println("idem: warning: " + warning));
  }

  /**
   * The exit code of a run's report (see {@link ExitCode}); a run stopped by a signal exits with
   * the signal's status instead.
   */
  static int exitCode(RunReport report) {
    if (report.ok()) {
      return ExitCode.OK;
    }
    if (report.count(WindowOutcome.Result.FAILED) == 0
        && report.count(WindowOutcome.Result.HELD) > 0) {
      return ExitCode.HELD;
    }
    return report.partlyFailed() ? ExitCode.PARTLY_FAILED : ExitCode.FAILED;
  }

  private int report(
      PipelineDefinition definition, Destination destination, RunReport report, boolean stopped) {
    int exit = exitCode(report);
    if (output.json()) {
      idem.println(ReportView.json(report, definition.destination().describe(), exit, stopped));
    } else {
      // the table's target rows are the ledger's now, not each window's at its commit: a later
      // window that took over a key (merge) has moved that row, and updated the count it left
      Map<String, Long> targetRows = new HashMap<>();
      for (WindowState s : destination.ledger().states(definition.pipeline().name())) {
        targetRows.put(s.windowId(), s.counts().targetRows());
      }
      ReportView.text(report, display.wide, targetRows).forEach(idem::println);
    }
    return exit;
  }
}
