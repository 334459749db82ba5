package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code idem schema pipeline}: prints the JSON Schema of pipeline files, assembled from the
 * connectors on the class path, for editors (docs/cli.md, "JSON Schemas").
 */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Print a JSON Schema (draft 2020-12) on stdout.",
      "pipeline: the schema of pipeline files, with the sections of every connector on the class path"
          + " (published as docs/schemas/pipeline.schema.json; editors validate YAML with it)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_USAGE})
final class SchemaCommand implements Callable<Integer> {
  enum Kind {
    pipeline
  }

  @ParentCommand Idem idem;

  @Parameters(index = "0", paramLabel = "KIND", description = "pipeline")
  Kind kind;

  @Override
  public Integer call() {
    idem.println(ReportView.write(PipelineSchema.of(idem.connectors)));
    return ExitCode.OK;
  }
}
