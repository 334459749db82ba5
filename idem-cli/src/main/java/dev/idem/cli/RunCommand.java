package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.destination.Destination;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunOptions;
import dev.idem.run.RunServices;
import dev.idem.window.Window;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code idem run}: loads the windows present in the input, or the ones selected. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Load a pipeline's windows.",
        "Without --window or --from/--to: every window present in the input.",
        "Windows whose input and definition are unchanged since their last load are skipped (reported UNCHANGED)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_OK, ExitCode.HELP_FAILED, ExitCode.HELP_USAGE, ExitCode.HELP_PARTLY_FAILED})
final class RunCommand extends LoadCommand {
  @Mixin
  WindowSelection selection;

  @Option(names = "--full-refresh", description = {"Destructive: first drop the target table and the pipeline's ledger rows (in their own transaction),",
          "then load every window of the input."})
  boolean fullRefresh;

  private List<Window> selected;

  @Override
  void beforeOpen(PipelineDefinition definition, RunServices services) {
    selected = select(definition.pipeline());
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    if (fullRefresh) {
      destination.dropTarget(definition.pipeline());
    }
    RunOptions options = fullRefresh ? run.options().forced() : run.options();
    return load(definition, destination, services, selected, options);
  }

  private List<Window> select(Pipeline pipeline) {
    if (fullRefresh && selection.given()) {
      throw new ConfigException("--full-refresh reloads every window: it takes no --window or --from/--to");
    }
    return selection.select(pipeline);
  }
}
