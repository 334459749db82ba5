package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsHeldRequests;
import dev.idem.destination.SupportsHeldRequests.Decision;
import dev.idem.notify.Notifier;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem resolve}: a person's decision about a request held as of unknown outcome (sent, never
 * answered, not safe to send again), recorded in the sent-request ledger; the next run acts on it.
 */
@Command(
    name = "resolve",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE},
    description = {
      "Record what happened to a request or notify: hook held as of unknown outcome (idem doctor"
          + " lists them).",
      "--as sent: the next run acknowledges it and never sends it.",
      "--as not-sent: the next run sends it again."
    })
final class ResolveCommand extends PipelineCommand {
  /** The decision as written on the command line. */
  enum As {
    SENT("sent", Decision.SENT),
    NOT_SENT("not-sent", Decision.NOT_SENT);

    private final String label;
    private final Decision decision;

    As(String label, Decision decision) {
      this.label = label;
      this.decision = decision;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  @Option(
      names = "--request",
      required = true,
      paramLabel = "KEY",
      description = "The request's key, or the start of it, as idem doctor lists it.")
  String request;

  @Option(
      names = "--as",
      required = true,
      paramLabel = "sent|not-sent",
      converter = AsConverter.class,
      description = "What happened: its effect took place (sent), or not (not-sent).")
  As as;

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    Notifier notifier = definition.notifier();
    if (!(destination instanceof SupportsHeldRequests) && notifier == null) {
      throw new ConfigException(
          file
              + ": destination "
              + destination.describe()
              + " sends no requests to hold and the pipeline has no notify: hooks; idem resolve is"
              + " for the http destination and notify:");
    }
    String name = definition.pipeline().name();
    destination.prepare(definition.pipeline());
    // the http destination refuses notify:, so a pipeline's held requests are one kind or the other
    String line =
        destination instanceof SupportsHeldRequests held
            ? held.resolve(name, request.strip(), as.decision)
            : notifier.resolve(
                destination, name, request.strip(), as.decision, services.clock().instant());
    if (output.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pipeline", name);
      doc.put("request", request.strip());
      doc.put("as", as.label);
      doc.put("resolved", line);
      idem.println(ReportView.write(doc));
    } else {
      idem.println(line);
    }
    return ExitCode.OK;
  }

  /** {@code sent} or {@code not-sent}, else a one-line usage error. */
  static final class AsConverter implements picocli.CommandLine.ITypeConverter<As> {
    @Override
    public As convert(String value) {
      for (As a : As.values()) {
        if (a.label.equals(value)) {
          return a;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is neither sent nor not-sent");
    }
  }
}
