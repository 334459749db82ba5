package dev.idem.cli;

import ch.qos.logback.classic.Level;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How much is logged, and in which format: the level ({@code -q}, {@code --log-level}, or {@code
 * -v} from {@link OutputOptions}) and text or JSON lines. Logs go to stderr; stdout is left to the
 * command's output.
 */
final class LogOptions {
  enum LogLevel {
    error,
    warn,
    info,
    debug,
    trace;

    Level level() {
      return Level.toLevel(name().toUpperCase(Locale.ROOT));
    }
  }

  enum LogFormat {
    text,
    json
  }

  @Option(
      names = {"-q", "--quiet"},
      description = "Log warnings and errors only (wins over --log-level and -v).")
  boolean quiet;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "error, warn, info (what the runner decided: windows planned, claimed, skipped, retried,"
              + " committed) or debug. Default: warn, info with -v.")
  LogLevel logLevel;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (one line per event) or json (one JSON object per line, for log shippers)."
              + " Default: ${DEFAULT-VALUE}.")
  LogFormat logFormat;

  /** The level to log at: -q wins, then --log-level, then -v (info); warn otherwise. */
  Level level(boolean verbose) {
    if (quiet) {
      return Level.WARN;
    }
    if (logLevel != null) {
      return logLevel.level();
    }
    return verbose ? Level.INFO : Level.WARN;
  }
}
