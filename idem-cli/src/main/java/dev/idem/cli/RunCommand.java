package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.TransientException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.destination.Destination;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunOptions;
import dev.idem.run.RunServices;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code idem run}: loads the windows present in the input, or the ones selected. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Load a pipeline's windows.",
        "Without --window or --from/--to: every window present in the input.",
        "Windows whose input and definition are unchanged since their last load are skipped (reported UNCHANGED)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_OK, ExitCode.HELP_FAILED, ExitCode.HELP_USAGE, ExitCode.HELP_PARTLY_FAILED})
final class RunCommand extends LoadCommand {
  @Option(names = "--window", paramLabel = "W", description = "Load this window (repeatable), e.g. 2024-03-15. Required for batch windows.")
  List<String> windows = new ArrayList<>();

  @Option(names = "--from", paramLabel = "A", description = "First window of a range (day or hour windows).")
  String from;

  @Option(names = "--to", paramLabel = "B", description = "Last window of a range, included.")
  String to;

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
    if (!windows.isEmpty() && (from != null || to != null)) {
      throw new ConfigException("use either --window or --from/--to, not both");
    }
    if ((from == null) != (to == null)) {
      throw new ConfigException("--from and --to go together: give both");
    }
    if (fullRefresh && (!windows.isEmpty() || from != null)) {
      throw new ConfigException("--full-refresh reloads every window: it takes no --window or --from/--to");
    }
    if (from != null) {
      return pipeline.windows().range(from, to);
    }
    if (!windows.isEmpty()) {
      return windows.stream().map(pipeline.windows()::window).distinct().toList();
    }
    if (pipeline.windows().kind() == WindowKind.BATCH) {
      throw new ConfigException("pipeline " + pipeline.name() + " has batch windows: give the batch id with --window");
    }
    try {
      return pipeline.source().windows(pipeline.windows());
    } catch (IOException e) {
      throw new TransientException("listing the windows of " + pipeline.source().describe() + ": " + e.getMessage(), e);
    }
  }
}
