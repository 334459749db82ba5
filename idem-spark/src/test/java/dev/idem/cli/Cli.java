package dev.idem.cli;

import dev.idem.context.RunServices;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the real command line in process, capturing stdout and stderr (the Spark engine found on
 * this module's class path, as from plugins/spark/).
 */
final class Cli {
  record Result(int exit, String out, String err) {}

  private Cli() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Idem idem =
        new Idem(
            name -> null,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            RunServices::defaults,
            DestinationOpener.STANDARD);
    int exit = idem.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
