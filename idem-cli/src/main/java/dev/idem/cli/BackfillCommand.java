package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem backfill}: loads every window of a range, whether or not the input has records for it
 * (an empty window is recorded as done with no rows, so a later load of that day is a change).
 */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Load every window of a range, --from to --to included.",
      "Every window of the range is loaded, e.g. every day of a month, whether or not the input has records for it.",
      "Unchanged windows are skipped unless --force. Runners on the same range split its windows: several processes on",
      "PostgreSQL, threads of one process (--parallel) on DuckDB."
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
final class BackfillCommand extends LoadCommand {
  @Option(
      names = "--from",
      paramLabel = "A",
      required = true,
      description = "First window, e.g. 2024-03-01.")
  String from;

  @Option(names = "--to", paramLabel = "B", required = true, description = "Last window, included.")
  String to;

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    return load(
        definition,
        destination,
        services,
        definition.pipeline().windows().range(from, to),
        options(definition));
  }
}
