package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fence cases of {@link IcebergFenceTest} (two runners of one window: exactly one lands; two
 * windows committed at once both land) with Iceberg's JDBC catalog on PostgreSQL (idem-testkit's
 * embedded server) instead of the embedded SQLite file, and a run repeated: once.
 */
class IcebergPostgresCatalogTest extends IcebergFenceTest {
  private String url;

  @Override
  IcebergSettings settings() {
    if (url == null) {
      url = EmbeddedPostgresServer.newDatabase();
    }
    return new IcebergSettings(
        dir.resolve("warehouse").toAbsolutePath().toString(), "jdbc", url, "idem", Map.of());
  }

  /**
   * Not repeated on PostgreSQL: snapshot isolation is Iceberg's metadata swap, the same on every
   * catalog, and the twenty replaces cost the module's test time.
   */
  @Override
  void aReaderDuringTwentyWindowReplacesSeesOnlyWholeSnapshots() {}

  @Test
  void aRunRepeatedLeavesTheTableAsOneRunDid() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE);
    ListSource source = (ListSource) p.source();
    for (long i = 0; i < 6; i++) {
      source.add(i, 1L, LocalDateTime.parse("2024-03-0" + (i % 3 + 1) + "T10:00:00"));
    }
    try (IcebergDestination d = open("r")) {
      RunReport first = run(d, p, "r1");
      assertThat(first.ok()).as(first.toString()).isTrue();
      assertThat(first.outcomes()).hasSize(3);
      List<String> rows = d.tableRows("fenced");
      assertThat(rows).hasSize(6);
      RunReport again = run(d, p, "r2");
      assertThat(again.outcomes())
          .allSatisfy(o -> assertThat(o.result()).isEqualTo(WindowOutcome.Result.UNCHANGED));
      assertThat(d.tableRows("fenced")).isEqualTo(rows);
    }
    assertThat(settings().describe()).startsWith("iceberg jdbc catalog jdbc:postgresql://");
  }

  private static RunReport run(IcebergDestination d, Pipeline p, String runId) throws Exception {
    return new Runner(d, RunServices.defaults())
        .run(p, p.source().windows(p.windows()), RunOptions.defaults(runId));
  }
}
