package dev.idem.cli;

import dev.idem.serve.ServeActions;
import dev.idem.serve.ServedPipeline;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * {@code idem serve --allow-actions}'s actions, carried out by the commands a person would type,
 * run in this process: {@code idem run FILE --window W} and {@code idem dlq replay FILE}, parsed
 * and executed by {@link Idem#execute} like any command line, so the runner, the lease, the results
 * file and the exit code are the command's own. What they print is the page's answer.
 */
final class ServeActionsCli implements ServeActions {
  private final Idem idem;

  ServeActionsCli(Idem idem) {
    this.idem = idem;
  }

  @Override
  public Result rerun(ServedPipeline pipeline, String windowId) {
    return execute("run", pipeline.file(), "--window", windowId);
  }

  @Override
  public Result replay(ServedPipeline pipeline) {
    return execute("dlq", "replay", pipeline.file());
  }

  private Result execute(String... args) {
    StringWriter printed = new StringWriter();
    PrintWriter to = new PrintWriter(printed, true);
    Idem command = new Idem(idem.env, to, to, false, idem.services, idem.destinations);
    int exit = command.execute(args);
    return new Result("idem " + String.join(" ", args), exit, printed.toString());
  }
}
