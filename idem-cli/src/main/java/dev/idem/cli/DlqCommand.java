package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.DeadLetter;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem dlq}: the dead letters, records a load could not read or type, kept in the
 * destination's {@code _idem.dead_letters} with their window, position, raw input and reason.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = {
      "Dead letters: records that could not be loaded, with their window, position, raw input and reason.",
      "Letters are kept in the destination (_idem.dead_letters), in the transaction of the window that met them."
    },
    subcommands = {
      DlqCommand.ListLetters.class,
      DlqNulled.class,
      DlqCommand.Replay.class,
      DlqCommand.Purge.class
    })
final class DlqCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "dlq needs a subcommand: list, nulled, replay or purge");
  }

  /** {@code idem dlq list}: open letters (or all with --all), oldest first. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List dead letters not yet replayed (--all: replayed ones too).",
        "Replayed: the window was loaded again after the pipeline or its input was fixed."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE})
  static final class ListLetters extends PipelineCommand {
    @Option(names = "--window", paramLabel = "W", description = "Only this window's letters.")
    String window;

    @Option(names = "--all", description = "Include letters already replayed.")
    boolean all;

    /** A pipeline that never ran has no letters: its destination is not created to say so. */
    @Override
    Integer withoutOpening(PipelineDefinition definition) {
      return neverRan(definition, () -> empty(definition, "dead_letters"));
    }

    @Override
    int execute(PipelineDefinition definition, Destination destination, RunServices services) {
      String name = definition.pipeline().name();
      Optional<String> id =
          Optional.ofNullable(window).map(w -> definition.pipeline().windows().window(w).id());
      List<DeadLetter> letters = destination.ledger().deadLetters(name, id, all);
      if (output.json()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DeadLetter l : letters) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("window", l.windowId());
          m.put("position", l.position());
          m.put("reason", l.reason());
          m.put("raw", l.raw());
          m.put("raw_bytes", l.rawBytes());
          m.put("raw_truncated", l.truncated());
          m.put("attempt_token", l.token());
          m.put("created_at", String.valueOf(l.createdAt()));
          m.put("replayed_at", l.replayedAt() == null ? null : l.replayedAt().toString());
          m.put("replay_run_id", l.replayRunId());
          rows.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pipeline", name);
        doc.put("dead_letters", rows);
        idem.println(ReportView.write(doc));
      } else if (letters.isEmpty()) {
        idem.println(
            name
                + ": no "
                + (all ? "" : "open ")
                + "dead letters"
                + id.map(w -> " in window " + w).orElse(""));
      } else {
        TextTable table = new TextTable("window", "position", "reason", "raw", "status");
        for (DeadLetter l : letters) {
          table.row(
              l.windowId(),
              l.position(),
              l.reason(),
              shortened(l.raw(), l.truncated()),
              l.replayed() ? "replayed " + l.replayedAt() : "open");
        }
        table.lines().forEach(idem::println);
        idem.println(letters.size() + " dead letter" + (letters.size() == 1 ? "" : "s"));
      }
      return ExitCode.OK;
    }

    private static String shortened(String raw, boolean truncated) {
      String oneLine = raw == null ? "" : raw.replace("\r", "\\r").replace("\n", "\\n");
      return oneLine.length() > 60
          ? oneLine.substring(0, 57) + "..."
          : oneLine + (truncated ? "..." : "");
    }
  }

  /** The JSON of a listing with nothing in it: {@code {"pipeline": ..., "<field>": []}}. */
  static String empty(PipelineDefinition definition, String field) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", definition.pipeline().name());
    doc.put(field, List.of());
    return ReportView.write(doc);
  }

  /**
   * {@code idem dlq replay}: loads again every window holding open letters, through the same
   * strategy.
   */
  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Load again, from the input, every window that holds dead letters not yet replayed (after fixing the pipeline file",
        "or the input). The whole window goes through the pipeline's strategy; its earlier letters are marked replayed,",
        "and records that are still bad become new open letters. Replaying again loads nothing new."
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
  static final class Replay extends LoadCommand {
    @Override
    int execute(PipelineDefinition definition, Destination destination, RunServices services) {
      String name = definition.pipeline().name();
      List<Window> windows =
          destination.ledger().windowsWithOpenDeadLetters(name).stream()
              .map(definition.pipeline().windows()::window)
              .toList();
      if (windows.isEmpty()) {
        idem.println(name + ": no open dead letters to replay");
        return ExitCode.OK;
      }
      return load(definition, destination, services, windows, options(definition).forced());
    }
  }

  /** {@code idem dlq purge}: deletes letters older than a retention period. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description =
          "Delete the pipeline's dead letters created more than --older-than ago, replayed or not.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE})
  static final class Purge extends PipelineCommand {
    @Option(
        names = "--older-than",
        paramLabel = "DURATION",
        required = true,
        converter = DurationConverter.class,
        description = "Retention, e.g. 30d, 12h.")
    Duration olderThan;

    /** A pipeline that never ran has nothing to purge: its destination is not created. */
    @Override
    Integer withoutOpening(PipelineDefinition definition) {
      return neverRan(definition, () -> purged(definition.pipeline().name(), 0));
    }

    @Override
    int execute(PipelineDefinition definition, Destination destination, RunServices services) {
      String name = definition.pipeline().name();
      int n =
          destination.ledger().purgeDeadLetters(name, services.clock().instant().minus(olderThan));
      if (output.json()) {
        idem.println(purged(name, n));
      } else {
        idem.println(
            "purged "
                + n
                + " dead letter"
                + (n == 1 ? "" : "s")
                + " of pipeline "
                + name
                + " older than "
                + olderThan);
      }
      return ExitCode.OK;
    }

    private static String purged(String pipeline, int n) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pipeline", pipeline);
      doc.put("purged", n);
      return ReportView.write(doc);
    }
  }
}
