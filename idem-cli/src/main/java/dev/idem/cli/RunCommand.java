package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunOptions;
import dev.idem.run.StreamOptions;
import dev.idem.run.WindowPlan;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code idem run}: loads the windows present in the input, or the ones selected. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Load a pipeline's windows.",
      "Without --window or --from/--to: every window present in the input.",
      "Windows whose input and definition are unchanged since their last load are skipped (reported UNCHANGED)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCode.HELP_OK,
      ExitCode.HELP_FAILED,
      ExitCode.HELP_USAGE,
      ExitCode.HELP_PARTLY_FAILED,
      ExitCode.HELP_HELD,
      ExitCode.HELP_SIGINT,
      ExitCode.HELP_SIGTERM
    })
final class RunCommand extends LoadCommand {
  @Mixin WindowSelection selection;

  @Option(
      names = "--full-refresh",
      description = {
        "Destructive: first drop the target table and the pipeline's ledger rows (in their own transaction),",
        "then load every window of the input."
      })
  boolean fullRefresh;

  @Option(
      names = "--follow",
      description = {
        "Stream pipelines (kafka source): keep loading as records arrive, one window (commit) per",
        "partition at most max_records long, until SIGTERM or Ctrl-C; the window in progress then commits and the run stops.",
        "Without it, a stream pipeline loads what its topic holds when the run starts, then stops."
      })
  boolean follow;

  @Option(
      names = "--commit-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description = {
        "With --follow: each partition commits a window at most this often, holding at most the source's max_records",
        "(default: ${DEFAULT-VALUE})."
      })
  Duration commitInterval;

  @Mixin EngineOptions engineOptions;

  private List<Window> selected;

  /** The engine of --engine when it is not the JVM's, found before the destination is opened. */
  private Engine plugin;

  @Override
  void beforeOpen(PipelineDefinition definition, RunServices services) {
    plugin = engineOptions.plugin();
    if (fullRefresh && selection.given()) {
      throw new ConfigException(
          "--full-refresh reloads every window: it takes no --window or --from/--to");
    }
    if (!streaming(definition.pipeline())) {
      if (follow) {
        throw new ConfigException(
            "--follow is for stream pipelines (a kafka source); "
                + definition.pipeline().name()
                + " has "
                + definition.pipeline().windows().describe()
                + " windows");
      }
      // a full refresh loads every window of the input, whatever the logical date
      selected =
          selection
              .chosen(definition.pipeline(), fullRefresh ? null : run.logicalDate)
              .orElse(null);
      if (selected == null && plugin == null) {
        selected = WindowPlan.listed(definition.pipeline());
      }
    }
  }

  /**
   * On an engine, the windows present in the input are listed by the engine's source, once it
   * started: a first load learns which windows its files hold on the engine's executors (Spark
   * tasks), not by parsing them all here. Windows chosen on the command line are known before.
   */
  @Override
  void engineStarted(PipelineDefinition onEngine) {
    if (selected == null && !streaming(onEngine.pipeline())) {
      selected = WindowPlan.listed(onEngine.pipeline());
    }
  }

  @Override
  Engine.Run engine(PipelineDefinition definition) {
    return plugin == null ? null : plugin.start(definition, config.sets, engineOptions.master);
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    if (fullRefresh) {
      destination.dropTarget(definition.pipeline());
    }
    RunOptions options = fullRefresh ? options(definition).forced() : options(definition);
    if (selected == null) {
      return load(
          definition,
          (runner, stop) ->
              runner.runStream(
                  definition.pipeline(), options, new StreamOptions(follow, commitInterval, stop)),
          destination,
          services,
          -1);
    }
    return load(definition, destination, services, selected, options);
  }

  /**
   * A stream pipeline run without a window selection plans its windows from the ledger as it goes.
   */
  private boolean streaming(Pipeline pipeline) {
    return pipeline.windows().kind() == WindowKind.OFFSETS && !selection.given();
  }
}
