package dev.idem.cli;

import dev.idem.run.RunOptions;
import java.time.LocalDate;
import java.util.UUID;
import picocli.CommandLine.Option;

/** Options of a run or backfill, turned into the core's {@link RunOptions}. */
final class RunSettings {
  @Option(names = "--force", description = "Reload the windows even when their input and definition are unchanged.")
  boolean force;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "1", description = "Windows loaded at the same time, by threads of this process (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(names = "--logical-date", paramLabel = "YYYY-MM-DD",
      description = {"The scheduler's logical date, passed to Java row functions (RunContext.logicalDate()).",
          "SQL transforms cannot see it yet."})
  LocalDate logicalDate;

  @Option(names = "--run-id", paramLabel = "ID", description = "The scheduler's run id, recorded in the ledger (default: a new UUID).")
  String runId;

  RunOptions options() {
    String id = runId == null || runId.isBlank() ? UUID.randomUUID().toString() : runId;
    return new RunOptions(force ? RunOptions.Reload.FORCE : RunOptions.Reload.IF_CHANGED, parallel, logicalDate, id);
  }
}
