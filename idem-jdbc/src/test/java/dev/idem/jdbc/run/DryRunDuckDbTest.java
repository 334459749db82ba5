package dev.idem.jdbc.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Presence;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.DryRun;
import dev.idem.run.DryRun.Action;
import dev.idem.run.DryRun.Planned;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DryRun} on DuckDB: the windows another runner holds, has left, or failed. */
class DryRunDuckDbTest {
  @TempDir Path dir;

  @Test
  void aWindowHeldByALiveRunnerIsRefusedOneLeftByAGoneRunnerOrFailedWouldLoad() {
    Schema schema = Schema.of(Column.of("id", DataType.INTEGER));
    Pipeline p =
        Pipeline.builder("held")
            .source(new ListSource(schema).add(1L))
            .windows(WindowSpec.full())
            .table("held")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .build();
    RunServices services = RunServices.defaults();
    try (JdbcDestination d =
        JdbcDestination.open(
            "jdbc:duckdb:" + dir.resolve("held.duckdb"),
            new Properties(),
            services,
            Duration.ofSeconds(2))) {
      List<Window> full = List.of(Window.full());
      RunOptions options = RunOptions.defaults("r1");
      assertThat(new Runner(d, services).run(p, full, options).ok()).isTrue();
      assertThat(plan(d, p, options).action()).isEqualTo(Action.SKIP);

      Lease lease;
      try (Presence alive = d.ledger().enter("other:runner")) {
        lease =
            d.ledger().claim("held", "full", "other:runner", Duration.ofMinutes(10)).orElseThrow();
        Planned held = plan(d, p, options);
        assertThat(held.action()).isEqualTo(Action.REFUSE);
        assertThat(held.reason()).startsWith("held by other:runner (lease until ");
      }
      Planned gone = plan(d, p, options);
      assertThat(gone.action()).isEqualTo(Action.LOAD);
      assertThat(gone.reason()).isEqualTo("takes over from other:runner, whose runner is gone");

      d.ledger().fail(lease, "disk full");
      Planned failed = plan(d, p, options);
      assertThat(failed.action()).isEqualTo(Action.LOAD);
      assertThat(failed.reason()).isEqualTo("failed before: disk full");
    }
  }

  private static Planned plan(JdbcDestination d, Pipeline p, RunOptions options) {
    List<Planned> plan = DryRun.plan(d, p, List.of(Window.full()), options, Instant.now());
    assertThat(plan).hasSize(1);
    return plan.get(0);
  }
}
