package dev.idem.serve;

import dev.idem.jdbc.JdbcDestination;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The actions as this module's tests carry them out: the runner on the DuckDB file or database at
 * {@code url} (the command line's are {@code idem run --window} and {@code idem dlq replay}
 * themselves, tested in idem-cli). Counts the actions carried out.
 */
final class RunnerActions implements ServeActions {
  final AtomicInteger carriedOut = new AtomicInteger();
  private final String url;

  RunnerActions(String url) {
    this.url = url;
  }

  @Override
  public Result rerun(ServedPipeline p, String windowId) {
    carriedOut.incrementAndGet();
    try (JdbcDestination d =
        JdbcDestination.open(url, new Properties(), Orders.services(), Duration.ZERO)) {
      RunReport r =
          new Runner(d, Orders.services())
              .run(
                  p.pipeline(),
                  List.of(p.pipeline().windows().window(windowId)),
                  RunOptions.defaults("from-the-page"));
      WindowOutcome o = r.outcomes().get(0);
      boolean failed = o.result() == WindowOutcome.Result.FAILED;
      return new Result(
          ActionRoutes.rerunCommand(p, windowId),
          failed ? 1 : 0,
          windowId + ": " + o.result() + (o.message() == null ? "" : " " + o.message()));
    }
  }

  @Override
  public Result replay(ServedPipeline p) {
    carriedOut.incrementAndGet();
    return new Result(ActionRoutes.replayCommand(p), 0, "not carried out in this test");
  }
}
