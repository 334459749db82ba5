package dev.idem.cli;

import dev.idem.context.RunServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the real command line in process with a given environment, capturing stdout and stderr. */
final class Cli {
  record Result(int exit, String out, String err) {}

  private Cli() {}

  static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Idem idem =
        new Idem(
            env::get,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            RunServices::defaults,
            DestinationOpener.STANDARD);
    int exit = idem.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  static Result run(String... args) {
    return run(Map.of(), args);
  }
}
