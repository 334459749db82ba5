package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.run.RunOptions;
import dev.idem.window.SchedulerTime;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.UUID;
import picocli.CommandLine.Option;

/** Options of a run or backfill, turned into the core's {@link RunOptions}. */
final class RunSettings {
  @Option(
      names = "--force",
      description = "Reload the windows even when their input and definition are unchanged.")
  boolean force;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Windows loaded at the same time, by threads of this process (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--logical-date",
      paramLabel = "TIME",
      description = {
        "The scheduler's logical date or time (2024-05-01, 2024-05-01T00:00:00+00:00, ...). Without --window,",
        "--from/--to or a data interval, a run of day or hour windows loads the window covering it. Its date in",
        "the window zone reaches Java row functions (RunContext.logicalDate()) and SQL transforms as the parameter",
        "logical_date."
      })
  String logicalDate;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "The scheduler's run id, recorded in the ledger (default: a new UUID).")
  String runId;

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = {
        "How long a window's lease lasts without renewal (default: 10m). A runner renews it every third of it while",
        "it loads; a runner that died holds its windows this long before another takes them over. On PostgreSQL a",
        "window's transaction is also cut after half of it idle (idle_in_transaction_session_timeout)."
      })
  Duration leaseTtl;

  /** The services with this run's lease time, if one was given. */
  RunServices services(RunServices base) {
    if (leaseTtl == null) {
      return base;
    }
    if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(
          "--lease-ttl must be at least 1s, got " + leaseTtl.toMillis() + "ms");
    }
    return base.withLeaseTtl(leaseTtl);
  }

  /** The run's options; the logical date is read as a date in {@code zone}, the window zone. */
  RunOptions options(ZoneId zone) {
    if (runId == null || runId.isBlank()) {
      // one id for the whole run: the ledger's, the lineage events' and the report's
      runId = UUID.randomUUID().toString();
    }
    String id = runId;
    LocalDate date =
        logicalDate == null
            ? null
            : LocalDate.ofInstant(SchedulerTime.parse("--logical-date", logicalDate, zone), zone);
    return new RunOptions(
        force ? RunOptions.Reload.FORCE : RunOptions.Reload.IF_CHANGED, parallel, date, id);
  }
}
