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
    if (ErrorView.wanted(parseResult)) {
      idem.println(ErrorView.json(message(e), getExitCode(e), e));
    }
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
    String message = mistyped.orElseGet(() -> e.getMessage().replaceAll("\\s+", " ").strip());
    idem.error(message);
    if (ErrorView.wanted(args, idem.env)) {
      idem.println(ErrorView.json(message, ExitCode.USAGE, e));
    }
    if (mistyped.isPresent()) {
      return ExitCode.USAGE; // the line already says where the commands are listed
    }
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
    return exitCode(e);
  }

  /** 2 for a configuration or usage error (nothing was attempted), 1 for anything else. */
  static int exitCode(Throwable e) {
    return e instanceof ConfigException || e instanceof CommandLine.ParameterException
        ? ExitCode.USAGE
        : ExitCode.FAILED;
  }

  /** The one-line message of {@code e}: its class named when it is not one of idem's. */
  static String message(Throwable e) {
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
