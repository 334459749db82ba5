package dev.idem.cli;

/**
 * The exit codes of every command, documented in docs/cli.md. Schedulers branch on them:
 * 1 means retry the run; 3 means some windows are loaded and a retry only redoes the others.
 */
final class ExitCode {
  /** Every selected window is loaded, unchanged, or held by another runner. */
  static final int OK = 0;
  /** A window failed, or every window of the run failed, or the command failed at run time. */
  static final int FAILED = 1;
  /** Bad command line or pipeline file: nothing was attempted. */
  static final int USAGE = 2;
  /** A multi-window run or backfill partly failed: some windows loaded, others failed. */
  static final int PARTLY_FAILED = 3;

  private ExitCode() {}
}
