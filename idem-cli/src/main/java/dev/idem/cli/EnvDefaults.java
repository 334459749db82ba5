package dev.idem.cli;

import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options from the environment, as schedulers and containers set them: {@code --logical-date}
 * defaults to {@code IDEM_LOGICAL_DATE}, {@code --lock-timeout} to {@code IDEM_LOCK_TIMEOUT} (the
 * option's long name, upper case, dashes as underscores, after {@code IDEM_}). A flag on the
 * command line wins. Destructive flags and help are never taken from the environment.
 */
final class EnvDefaults implements CommandLine.IDefaultValueProvider {
  static final String PREFIX = "IDEM_";

  /** Options a stray variable must not turn on. */
  private static final Set<String> NEVER =
      Set.of("--help", "--version", "--full-refresh", "--fix", "--force");

  private final Function<String, String> env;

  EnvDefaults(Function<String, String> env) {
    this.env = env;
  }

  /** The variable that holds the default of {@code option}, or null when it has none. */
  static String variable(OptionSpec option) {
    String name = option.longestName();
    if (!name.startsWith("--") || NEVER.contains(name)) {
      return null;
    }
    return PREFIX + name.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    String variable = variable(option);
    if (variable == null) {
      return null;
    }
    String value = env.apply(variable);
    return value == null || value.isEmpty() ? null : value;
  }
}
