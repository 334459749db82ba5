package dev.idem.cli;

/**
 * The exit codes of every command, documented in docs/cli.md. Schedulers branch on them:
 * 1 means retry the run; 3 means some windows are loaded and a retry only redoes the others.
 */
final class ExitCode {
  /** Every selected window is loaded, unchanged, or held by another runner. */
  static final int OK = 0;
  /** The only window, or every window, failed, or the command failed at run time. */
  static final int FAILED = 1;
  /** Bad command line or pipeline file: nothing was attempted. */
  static final int USAGE = 2;
  /** Partly failed: some windows loaded, unchanged or held, others failed. Re-running redoes only the failed ones. */
  static final int PARTLY_FAILED = 3;

  // The same wording in every --help, in README.md and in docs/cli.md.
  static final String HELP_OK = "0:every selected window loaded, unchanged, or held by another runner";
  static final String HELP_FAILED = "1:the only window, or every window, failed, or the command failed at run time";
  static final String HELP_USAGE = "2:bad usage or pipeline file (nothing was attempted)";
  static final String HELP_PARTLY_FAILED = "3:partly failed: some windows loaded, unchanged or held, others failed";
  static final String HELP_DONE = "0:done";
  static final String HELP_RUN_TIME = "1:the command failed at run time";

  private ExitCode() {}
}
