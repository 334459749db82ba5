package dev.idem.cli;

import dev.idem.context.RunServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Runs the real command line in process with a given environment, capturing stdout and stderr. */
final class Cli {
  record Result(int exit, String out, String err) {
    /**
     * Stderr without the windows' progress lines (not on a terminal: {@code <UTC time> [n/N] window
     * ...}): the errors and warnings.
     */
    String errors() {
      return err.lines()
          .filter(l -> !PROGRESS.matcher(l).matches())
          .map(l -> l + "\n")
          .collect(Collectors.joining());
    }
  }

  /** A window's progress line as printed when stderr is not a terminal. */
  static final Pattern PROGRESS = Pattern.compile("\\S+Z \\[\\d+(/\\d+)?\\] window .*");

  private Cli() {}

  static Result run(Map<String, String> env, String... args) {
    return run(env, RunServices::defaults, args);
  }

  /** With the run services {@code services} makes (a fault injector, say). */
  static Result run(Map<String, String> env, Supplier<RunServices> services, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Idem idem =
        new Idem(
            env::get,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            services,
            DestinationOpener.STANDARD);
    int exit = idem.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /**
   * A command line with an empty environment whose output goes nowhere: what {@code idem serve}'s
   * tests open pipeline files with.
   */
  static Idem quiet() {
    return new Idem(
        Map.<String, String>of()::get,
        new PrintWriter(new StringWriter(), true),
        new PrintWriter(new StringWriter(), true),
        false,
        RunServices::defaults,
        DestinationOpener.STANDARD);
  }
}
