package dev.idem.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How the help texts are laid out: as wide as the terminal ({@code COLUMNS}, 80 when not exported,
 * at most 120 for readability), long option names in a column wide enough for {@code
 * --commit-interval=DURATION}, and each option's description one paragraph that picocli wraps,
 * rather than lines cut where the source file cut them (each of which picocli would wrap on its
 * own, leaving ragged half lines).
 */
final class HelpLayout {
  private static final int WIDEST = 120;

  /** picocli's own minimum. */
  private static final int NARROWEST = 55;

  private HelpLayout() {}

  static void apply(CommandLine cmd, int columns) {
    cmd.setUsageHelpWidth(Math.max(NARROWEST, Math.min(WIDEST, columns)));
    cmd.setUsageHelpLongOptionsMaxWidth(28);
    join(cmd);
  }

  private static void join(CommandLine cmd) {
    CommandSpec spec = cmd.getCommandSpec();
    for (OptionSpec option : List.copyOf(spec.options())) {
      String[] lines = option.description();
      if (lines.length > 1) {
        spec.remove(option);
        spec.addOption(option.toBuilder().description(String.join(" ", lines)).build());
      }
    }
    cmd.getSubcommands().values().forEach(HelpLayout::join);
  }
}
