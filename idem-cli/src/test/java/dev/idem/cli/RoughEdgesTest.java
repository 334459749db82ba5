package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's rough edges, each as a person meets it. */
class RoughEdgesTest {
  @TempDir Path tmp;

  Path orders;

  @BeforeEach
  void copyExamples() throws IOException {
    Examples.copy(tmp);
    orders = tmp.resolve("orders/pipeline.yaml");
  }

  @Test
  void aMistypedSubcommandSuggestsTheNearestInOneLine() {
    Cli.Result r = Cli.run("rnu", orders.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "idem: unknown command 'rnu': did you mean 'run'? ('idem --help' lists the commands)\n");
    assertThat(Cli.run("dlq", "lsit", orders.toString()).err())
        .isEqualTo(
            "idem: unknown command 'lsit': did you mean 'list'? ('idem dlq --help' lists the commands)\n");
    assertThat(Cli.run("xyzzy").err())
        .isEqualTo("idem: unknown command 'xyzzy' ('idem --help' lists the commands)\n");
    // an unknown option is not a command: picocli's message as before
    assertThat(Cli.run("run", "--bogus", orders.toString()).err())
        .startsWith("idem: Unknown option: '--bogus'");
  }

  @Test
  void helpTextsWrapWithinTheWidthAndContinueAlignedUnderTheirOption() {
    for (String[] command :
        List.of(
            new String[] {"--help"},
            new String[] {"run", "--help"},
            new String[] {"backfill", "--help"},
            new String[] {"dlq", "replay", "--help"})) {
      Cli.Result r = Cli.run(Map.of("COLUMNS", "100"), command);
      assertThat(r.exit()).isZero();
      assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    }
    // a description is one paragraph, not lines cut where the source file was cut
    String run = Cli.run(Map.of("COLUMNS", "100"), "run", "--help").out();
    assertThat(run)
        .containsPattern(
            "--lock-timeout=DURATION\\s+How long to wait for a lock another runner holds \\(default:");
  }

  @Test
  void dlqListOfAPipelineThatNeverRanSaysSoInOneLineWithoutCreatingItsDatabase() {
    Path db = tmp.resolve("orders/orders.duckdb");
    for (String sub : List.of("list", "nulled")) {
      Cli.Result r = Cli.run("dlq", sub, orders.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out())
          .isEqualTo(
              "pipeline orders has never run: there is no DuckDB file jdbc:duckdb:" + db + "\n");
    }
    assertThat(Cli.run("dlq", "list", orders.toString(), "--output", "json").out())
        .isEqualToIgnoringWhitespace("{\"pipeline\": \"orders\", \"dead_letters\": []}");
    assertThat(Cli.run("dlq", "purge", orders.toString(), "--older-than", "1d").exit()).isZero();
    assertThat(db).doesNotExist();
    assertThat(tmp.resolve("orders/orders.duckdb.wal")).doesNotExist();
  }

  /** A clock at the start time when first read, 20 s later ever after: the input took 20 s. */
  private static Clock twentySecondsAfterTheFirstRead() {
    return new Clock() {
      private Instant now = Instant.parse("2024-03-01T00:00:00Z");

      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public synchronized Instant instant() {
        Instant t = now;
        now = Instant.parse("2024-03-01T00:00:20Z");
        return t;
      }
    };
  }

  @Test
  void theLockTimeoutCountsFromTheCommandsStartNotFromTheEndOfTheInputsScan() {
    List<Duration> waits = new ArrayList<>();
    for (String timeout : List.of("30s", "5s")) {
      Idem idem =
          new Idem(
              Map.<String, String>of()::get,
              new PrintWriter(new StringWriter(), true),
              new PrintWriter(new StringWriter(), true),
              false,
              () -> RunServices.defaults().withClock(twentySecondsAfterTheFirstRead()),
              (binding, services, lockTimeout) -> {
                waits.add(lockTimeout);
                return DestinationOpener.STANDARD.open(binding, services, lockTimeout);
              });
      assertThat(idem.execute("run", orders.toString(), "--lock-timeout", timeout)).isZero();
    }
    // 20 s went by between the start and the opening (listing the input's windows)
    assertThat(waits).containsExactly(Duration.ofSeconds(10), Duration.ZERO);
  }

  @Test
  void anUnreachableJdbcSourceIsOneShortLineNotItsWholeQuery() throws IOException {
    Path pipeline = tmp.resolve("events.yaml");
    Files.writeString(
        pipeline,
        """
        pipeline: events
        source:
          type: jdbc
          url: jdbc:postgresql://127.0.0.1:1/shop
          query: |
            SELECT id, updated_at
            FROM events
            WHERE updated_at >= :window_start
              AND updated_at < :window_end
              AND the_rest_of_a_long_query_that_should_not_be_printed = 1
          lag: 1h
        columns:
          id: integer not null
          updated_at: timestamp
        windows:
          kind: day
          column: updated_at
        target:
          table: events
          key: [id]
          strategy: merge
        destination:
          url: jdbc:duckdb:%s
        """
            .formatted(tmp.resolve("events.duckdb")));
    Cli.Result r = Cli.run("run", pipeline.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith("idem: listing the windows of jdbc query SELECT id, updated_at FROM events")
        .contains("Connection to 127.0.0.1:1 refused")
        .doesNotContain("the_rest_of_a_long_query");
  }
}
