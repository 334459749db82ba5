package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.destination.Destination;
import dev.idem.run.RunServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem backfill}: loads every window of a range, whether or not the input has records for
 * it (an empty window is recorded as done with no rows, so a later load of that day is a change).
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Load every window from --from to --to (both included), e.g. every day of a month.",
        "Unchanged windows are skipped unless --force; two processes on the same range split the windows."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every window loaded, unchanged or held by another runner", "1:every window failed",
        "2:bad usage or pipeline file", "3:some windows loaded and others failed"})
final class BackfillCommand extends LoadCommand {
  @Option(names = "--from", paramLabel = "A", required = true, description = "First window, e.g. 2024-03-01.")
  String from;

  @Option(names = "--to", paramLabel = "B", required = true, description = "Last window, included.")
  String to;

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    return load(definition, destination, services, definition.pipeline().windows().range(from, to), run.options());
  }
}
