package dev.idem.cli;

/**
 * The exit codes of every command, documented in one table in docs/exit-codes.md. Schedulers branch
 * on them: 0 means every selected window is done; 1 means retry the run; 3 means some windows are
 * done and a retry only redoes the others; 4 means other runners are still loading some of the
 * windows, nothing failed. A window is done when it loaded, was found unchanged, or was finished by
 * another runner while this one waited; a window another runner still holds when the run ends is
 * not done. SIGTERM and Ctrl-C end a run with the JVM's own status for the signal, 143 and 130,
 * after its windows in progress committed or rolled back.
 */
final class ExitCode {
  /** Every selected window is done: loaded, unchanged, or finished by another runner. */
  static final int OK = 0;

  /**
   * No selected window is done (failed, or held by a runner that did not finish it), or the command
   * failed at run time.
   */
  static final int FAILED = 1;

  /** Bad command line or pipeline file: nothing was attempted. */
  static final int USAGE = 2;

  /**
   * Partly done: some windows are done, others failed (or are held). Re-running redoes only those.
   */
  static final int PARTLY_FAILED = 3;

  /**
   * No window failed, but some are still held by live runners after --lock-timeout: run again
   * later.
   */
  static final int HELD = 4;

  // The same wording in the --help of idem, run, backfill and dlq replay (CliTest);
  // docs/exit-codes.md says the same at length.
  static final String HELP_OK =
      "0:every selected window is done: loaded, unchanged, or finished by another runner";
  static final String HELP_FAILED =
      "1:windows failed and none is done, or the command failed at run time";
  static final String HELP_USAGE = "2:bad usage or pipeline file (nothing was attempted)";
  static final String HELP_PARTLY_FAILED = "3:partly done: some windows failed, others are done";
  static final String HELP_HELD =
      "4:no window failed, but some are still held by live runners after --lock-timeout: run again later";
  static final String HELP_SIGINT =
      "130:stopped by Ctrl-C (SIGINT): the windows in progress committed or rolled back, the others did not start";
  static final String HELP_SIGTERM = "143:stopped by SIGTERM, likewise";
  static final String HELP_DONE = "0:done";
  static final String HELP_RUN_TIME = "1:the command failed at run time";

  private ExitCode() {}
}
