package dev.idem.cli;

import dev.idem.connector.DestinationFactory;
import dev.idem.connector.SourceFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code idem connectors}: the source and destination factories found on the class path, one line
 * each: what a pipeline file's {@code type:} may name with this installation. Tells whether a
 * packaged jar kept its service registrations.
 */
@Command(
    name = "connectors",
    mixinStandardHelpOptions = true,
    description = {
      "List the sources and destinations this installation can bind.",
      "One line per connector found on the class path: source or destination, the type: a pipeline file names it by, and its class."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the list was printed", ExitCode.HELP_USAGE})
final class ConnectorsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    Idem idem = (Idem) spec.root().userObject();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (SourceFactory f : idem.connectors.sources()) {
      rows.add(
          row(
              "source",
              f.type(),
              f.type() + (f.stream() ? " (stream)" : ""),
              f.getClass().getName()));
    }
    for (DestinationFactory f : idem.connectors.destinations()) {
      rows.add(
          row(
              "destination",
              f.type(),
              f.name() + (f.typeOptional() ? " (the default type)" : ""),
              f.getClass().getName()));
    }
    if (output.json()) {
      idem.println(ReportView.write(Map.of("connectors", rows)));
      return ExitCode.OK;
    }
    TextTable table = new TextTable("kind", "type", "connector", "class");
    rows.forEach(r -> table.row(r.get("kind"), r.get("type"), r.get("connector"), r.get("class")));
    table.lines().forEach(idem::println);
    return ExitCode.OK;
  }

  private static Map<String, Object> row(
      String kind, String type, String connector, String className) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("type", type);
    m.put("connector", connector);
    m.put("class", className);
    return m;
  }
}
