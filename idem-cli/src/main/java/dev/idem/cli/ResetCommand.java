package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem reset}: forgets ledger entries so their windows load again. The target's rows stay;
 * the next load of a window rewrites its rows by the pipeline's strategy.
 */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE},
    description = {
      "Forget ledger entries so the next run loads their windows again.",
      "All of the pipeline's windows, or one with --window.",
      "Rows already in the target are not deleted."
    })
final class ResetCommand extends PipelineCommand {
  @Option(names = "--window", paramLabel = "W", description = "Forget only this window.")
  String window;

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    String name = definition.pipeline().name();
    Optional<String> id =
        Optional.ofNullable(window).map(w -> definition.pipeline().windows().window(w).id());
    destination.prepare(definition.pipeline());
    int n = destination.ledger().reset(name, id);
    if (output.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pipeline", name);
      doc.put("window", id.orElse(null));
      doc.put("reset", n);
      idem.println(ReportView.write(doc));
    } else {
      idem.println(
          "reset "
              + n
              + " window"
              + (n == 1 ? "" : "s")
              + " of pipeline "
              + name
              + id.map(w -> " (window " + w + ")").orElse(""));
    }
    return ExitCode.OK;
  }
}
