package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The one place exceptions become exit codes and one-line messages: configuration and usage errors
 * exit 2, anything else that stops a command exits 1. {@code --verbose} adds the stack.
 */
final class ErrorHandler
    implements CommandLine.IExecutionExceptionHandler,
        CommandLine.IParameterExceptionHandler,
        CommandLine.IExitCodeExceptionMapper {
  private final Idem idem;

  ErrorHandler(Idem idem) {
    this.idem = idem;
  }

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    idem.error(message(e));
    if (verbose(parseResult)) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      idem.err.print(idem.secrets.redact(trace.toString()));
      idem.err.flush();
    }
    return getExitCode(e);
  }

  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    Optional<String> mistyped = NearestCommand.message(e);
    if (mistyped.isPresent()) {
      idem.error(mistyped.get());
      return ExitCode.USAGE;
    }
    idem.error(e.getMessage().replaceAll("\\s+", " ").strip());
    String name = e.getCommandLine().getCommandName();
    idem.err.println(
        "Try '"
            + (name.equals("idem") ? "idem" : "idem " + name)
            + " --help' for more information.");
    idem.err.flush();
    return ExitCode.USAGE;
  }

  @Override
  public int getExitCode(Throwable e) {
    return e instanceof ConfigException || e instanceof CommandLine.ParameterException
        ? ExitCode.USAGE
        : ExitCode.FAILED;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    } else if (!(e instanceof IdemException)) {
      m = e.getClass().getSimpleName() + ": " + m;
    }
    return m.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static boolean verbose(CommandLine.ParseResult result) {
    for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
