package dev.idem.cli;

import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Location;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * An error as JSON, for {@code --output json} (docs/cli.md, "Errors as JSON"): one object on stdout
 * with the message, the exit code, and where in the pipeline file the problem was written when it
 * is known ({@code file}, {@code line}, {@code column}; null otherwise). The one-line message still
 * goes to stderr for people.
 */
final class ErrorView {
  private ErrorView() {}

  static String json(String message, int exitCode, Throwable e) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("error", message);
    doc.put("exit_code", exitCode);
    Location where = e instanceof ConfigProblem p ? p.where() : null;
    doc.put("file", where == null ? null : where.file());
    doc.put("line", where == null || where.line() <= 0 ? null : where.line());
    doc.put("column", where == null || where.column() <= 0 ? null : where.column());
    return ReportView.write(doc);
  }

  /**
   * Whether the command that failed asked for JSON (its --output, which may come from IDEM_OUTPUT).
   */
  static boolean wanted(CommandLine.ParseResult result) {
    boolean json = false;
    for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
      OptionSpec output = r.commandSpec().findOption("--output");
      if (output != null) {
        json = output.getValue() == OutputOptions.Format.json;
      }
    }
    return json;
  }

  /**
   * Whether a command line that could not be parsed asked for JSON: {@code --output json} or {@code
   * --output=json} among its arguments, else {@code IDEM_OUTPUT=json}.
   */
  static boolean wanted(String[] args, Function<String, String> env) {
    List<String> list = List.of(args);
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      if (a.equals("--output")) {
        return i + 1 < list.size() && list.get(i + 1).equalsIgnoreCase("json");
      }
      if (a.startsWith("--output=")) {
        return a.substring("--output=".length()).equalsIgnoreCase("json");
      }
    }
    return "json".equalsIgnoreCase(env.apply(EnvDefaults.PREFIX + "OUTPUT"));
  }
}
