package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine starts before the destination opens, which is given the engine's workers, and stops
 * after it closes; the engine's start does not count against {@code --lock-timeout}.
 */
class EngineWorkersTest {
  @TempDir Path dir;

  @Test
  void theDestinationGetsTheEnginesWorkersAndTheLockTimeoutLeavesOutItsStart() throws Exception {
    Path pipeline = pipeline();
    AtomicReference<RunServices> given = new AtomicReference<>();
    AtomicReference<Duration> lockTimeout = new AtomicReference<>();
    DestinationOpener recording =
        (binding, services, timeout) -> {
          RecordingEngine.EVENTS.add("destination opened");
          given.set(services);
          lockTimeout.set(timeout);
          return RecordingEngine.recording(
              DestinationOpener.STANDARD.open(binding, services, timeout),
              "close",
              "destination closed");
        };
    RecordingEngine.EVENTS.clear();
    RecordingEngine.startMillis = 2_000; // longer than the lock timeout below
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new Idem(
                Map.<String, String>of()::get,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                false,
                RunServices::defaults,
                recording)
            .execute("run", pipeline.toString(), "--engine", "recording", "--lock-timeout", "1s");

    assertThat(exit).as(err.toString()).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).contains("1 loaded");
    assertThat(given.get().workers()).isSameAs(RecordingEngine.WORKERS);
    assertThat(lockTimeout.get()).isPositive();
    assertThat(RecordingEngine.EVENTS)
        .containsExactly(
            "engine started",
            // by the engine's source (on Spark, which learns the files in tasks), not before
            "windows listed by the engine's source",
            "destination opened",
            "destination closed",
            "engine stopped");
  }

  /** A choice of windows that cannot be made fails before the engine starts. */
  @Test
  void aWrongChoiceOfWindowsFailsBeforeTheEngineStarts() throws Exception {
    Path pipeline = pipeline();
    RecordingEngine.EVENTS.clear();
    RecordingEngine.startMillis = 0;
    StringWriter err = new StringWriter();
    int exit =
        new Idem(
                Map.<String, String>of()::get,
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                false,
                RunServices::defaults,
                DestinationOpener.STANDARD)
            .execute("run", pipeline.toString(), "--engine", "recording", "--from", "2024-03-01");
    assertThat(exit).isNotEqualTo(ExitCode.OK);
    assertThat(err.toString()).contains("--from and --to go together: give both");
    assertThat(RecordingEngine.EVENTS).isEmpty();
  }

  /** A day-window CSV pipeline of one file into DuckDB beside it. */
  private Path pipeline() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("a.csv"), "id,at\n1,2024-03-01 10:00:00\n");
    Path pipeline = dir.resolve("pipeline.yaml");
    Files.writeString(
        pipeline,
        "pipeline: p\n"
            + "source:\n  type: csv\n  path: data/*.csv\n  header: true\n"
            + "columns:\n  id: integer not null\n  at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: at\n  zone: UTC\n"
            + "target:\n  table: t\n  key: [id]\n  strategy: merge\n"); // DuckDB beside it
    return pipeline;
  }
}
