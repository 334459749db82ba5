package dev.idem.serve;

/**
 * The actions {@code idem serve --allow-actions} offers, carried out by the same code as the
 * commands a person would type ({@code idem run FILE --window W}, {@code idem dlq replay FILE}):
 * the same runner, the same lease, the same ledger. The command line supplies them; this module
 * only asks for them, after the request passed its checks (token, Host, Origin).
 */
public interface ServeActions {
  /** What an action did: the command it amounts to, its exit code and what it printed. */
  record Result(String command, int exitCode, String output) {}

  /** Loads one window again, as {@code idem run FILE --window W}. */
  Result rerun(ServedPipeline pipeline, String windowId);

  /** Loads again every window holding open dead letters, as {@code idem dlq replay FILE}. */
  Result replay(ServedPipeline pipeline);
}
