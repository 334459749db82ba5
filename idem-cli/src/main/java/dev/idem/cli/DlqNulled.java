package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.ledger.NulledValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem dlq nulled}: the values {@code on_bad_value: null} set to NULL in rows that loaded,
 * kept in the destination's {@code _idem.nulled_values} with their window, position, column, raw
 * input and reason.
 */
@Command(
    name = "nulled",
    mixinStandardHelpOptions = true,
    description = {
      "List the values set to NULL under on_bad_value: null in the rows each window holds (the row loaded),",
      "with the column, the raw input and why it could not be typed (_idem.nulled_values)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE})
final class DlqNulled extends PipelineCommand {
  @Option(names = "--window", paramLabel = "W", description = "Only this window's nulled values.")
  String window;

  /** A pipeline that never ran nulled nothing: its destination is not created to say so. */
  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    return neverRan(definition, () -> DlqCommand.empty(definition, "nulled_values"));
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    String name = definition.pipeline().name();
    Optional<String> id =
        Optional.ofNullable(window).map(w -> definition.pipeline().windows().window(w).id());
    List<NulledValue> values = destination.ledger().nulledValues(name, id);
    if (output.json()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (NulledValue v : values) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", v.windowId());
        m.put("position", v.position());
        m.put("column", v.column());
        m.put("raw", v.raw());
        m.put("reason", v.reason());
        rows.add(m);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pipeline", name);
      doc.put("nulled_values", rows);
      idem.println(ReportView.write(doc));
    } else if (values.isEmpty()) {
      idem.println(name + ": no nulled values" + id.map(w -> " in window " + w).orElse(""));
    } else {
      TextTable table = new TextTable("window", "position", "column", "raw", "reason");
      for (NulledValue v : values) {
        table.row(
            v.windowId(), v.position(), v.column(), v.raw() == null ? "" : v.raw(), v.reason());
      }
      table.lines().forEach(idem::println);
      idem.println(values.size() + " nulled value" + (values.size() == 1 ? "" : "s"));
    }
    return ExitCode.OK;
  }
}
