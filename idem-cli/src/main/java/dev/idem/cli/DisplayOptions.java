package dev.idem.cli;

import picocli.CommandLine.Option;

/** How a load shows itself while it runs and when it ends: the progress display and the table. */
final class DisplayOptions {
  /** Where progress goes: a live display, timestamped lines, or nothing. */
  enum Progress {
    auto,
    plain,
    none
  }

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "auto (a live progress bar on a terminal, timestamped lines otherwise), plain (timestamped lines)"
              + " or none. On stderr, one line per window as it finishes; stdout keeps the result. Default: ${DEFAULT-VALUE}.")
  Progress progress;

  @Option(
      names = "--wide",
      description =
          "Show every count column of the run table, also those that are zero for every window.")
  boolean wide;

  /** Whether the live display is shown: on a terminal in auto mode, and never for JSON output. */
  boolean live(boolean terminal, boolean json) {
    return progress == Progress.auto && terminal && !json;
  }
}
