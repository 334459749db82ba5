package dev.idem.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The one line for a mistyped subcommand ({@code idem rnu}): picocli reports "Unmatched arguments
 * from index 0"; this names the word and the nearest command by edit distance, a swap of two
 * neighbouring letters counting as one edit, as git does for {@code git stauts}.
 */
final class NearestCommand {
  /** Beyond this many edits a command is not a plausible meaning of the word. */
  private static final int MAX_EDITS = 2;

  private NearestCommand() {}

  /**
   * The line for {@code e} when it is a word where a subcommand was expected, or empty when the
   * error is another one (an unknown option, a surplus parameter).
   */
  static Optional<String> message(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)) {
      return Optional.empty();
    }
    CommandLine cmd = u.getCommandLine();
    List<String> unmatched = u.getUnmatched();
    if (cmd.getSubcommands().isEmpty()
        || !cmd.getCommandSpec().positionalParameters().isEmpty()
        || unmatched.isEmpty()
        || unmatched.get(0).startsWith("-")) {
      return Optional.empty();
    }
    String word = unmatched.get(0);
    String help = cmd.getCommandSpec().qualifiedName() + " --help";
    return Optional.of(
        nearest(word, List.copyOf(cmd.getSubcommands().keySet()))
                .map(c -> "unknown command '" + word + "': did you mean '" + c + "'?")
                .orElse("unknown command '" + word + "'")
            + " ('"
            + help
            + "' lists the commands)");
  }

  /** The command closest to {@code word}, if one is at most {@value #MAX_EDITS} edits away. */
  static Optional<String> nearest(String word, List<String> commands) {
    return commands.stream()
        .filter(c -> distance(word, c) <= Math.min(MAX_EDITS, Math.max(1, c.length() / 2)))
        .min(Comparator.comparingInt((String c) -> distance(word, c)));
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
