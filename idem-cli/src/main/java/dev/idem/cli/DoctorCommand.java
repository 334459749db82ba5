package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.Finding;
import dev.idem.destination.SupportsDoctor;
import dev.idem.pipeline.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idem doctor}: reports what killed or stalled processes left behind for a pipeline on its
 * destination (stale leases, failed windows, sessions idle in a transaction, scratch databases of a
 * killed verify, an outdated ledger) and, with {@code --fix}, resolves what can be resolved without
 * a load. Every fix is fenced or time-bounded by the destination (see {@link Finding}); after the
 * fixes the destination is examined again, and the exit code says whether anything remains.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Find what killed or stalled runs left behind; --fix resolves it.",
      "Findings: stale_lease (a window running whose runner died; --fix marks it failed, fenced by its lease token),"
          + " failed_window (report only: the next run loads it), idle_transaction (PostgreSQL: a session idle in a transaction for longer"
          + " than --lease-ttl holding locks on the target or the ledger; --fix ends it with pg_terminate_backend), orphan_verify_database"
          + " (PostgreSQL: a scratch database of a killed idem verify, unused and older than 15 minutes; --fix drops it),"
          + " ledger_outdated (report only: the next run migrates it).",
      "Never creates the ledger, the target or a missing DuckDB file."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no findings, or --fix resolved them all",
      "1:findings remain, or the command failed at run time",
      ExitCode.HELP_USAGE
    })
final class DoctorCommand extends PipelineCommand {
  @Option(
      names = "--fix",
      description = "Resolve the findings that can be resolved without a load, then look again.")
  boolean fix;

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = {
        "The lease time of the pipeline's runs (default: 10m): a session idle in a transaction for longer is a finding."
      })
  Duration leaseTtl;

  @Override
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

  /**
   * A destination that does not exist yet (a missing DuckDB file) holds nothing to examine; opening
   * it would create it.
   */
  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    return neverRan(
        definition,
        () ->
            json(
                definition.pipeline().name(),
                definition.destination().describe(),
                ExitCode.OK,
                List.of(),
                List.of()));
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    Pipeline pipeline = definition.pipeline();
    if (!(destination instanceof SupportsDoctor doctor)) {
      throw new ConfigException(
          "destination " + destination.describe() + " does not support idem doctor");
    }
    List<Finding> found = withHeldNotifications(definition, destination, doctor.diagnose(pipeline));
    List<Fixed> fixed = new ArrayList<>();
    if (fix && found.stream().anyMatch(Finding::fixable)) {
      for (Finding f : found) {
        if (f.fixable()) {
          fixed.add(apply(f));
        }
      }
      found = withHeldNotifications(definition, destination, doctor.diagnose(pipeline));
    }
    int exit = found.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    String where = definition.destination().describe();
    if (output.json()) {
      idem.println(json(pipeline.name(), where, exit, fixed, found));
      return exit;
    }
    for (Fixed f : fixed) {
      idem.println(
          (f.done() ? "fixed " : "could not fix ")
              + f.kind()
              + " "
              + f.subject()
              + ": "
              + f.outcome());
    }
    if (found.isEmpty()) {
      idem.println(
          "no findings: nothing is left behind for pipeline " + pipeline.name() + " in " + where);
      return exit;
    }
    TextTable table = new TextTable("kind", "subject", "fix", "description");
    for (Finding f : found) {
      table.row(f.kind(), f.subject(), f.fixable() ? "--fix" : "-", f.description());
    }
    table.lines().forEach(idem::println);
    long fixable = found.stream().filter(Finding::fixable).count();
    idem.println(
        found.size()
            + " finding"
            + (found.size() == 1 ? "" : "s")
            + (fixed.isEmpty() ? "" : found.size() == 1 ? " remains" : " remain")
            + " for pipeline "
            + pipeline.name()
            + " in "
            + where
            + (fixable == 0 ? "" : ": " + fixable + " can be fixed with idem doctor --fix"));
    return exit;
  }

  /** One fix applied: what it did, or why it could not (one line; the other fixes still run). */
  private static Fixed apply(Finding f) {
    try {
      return new Fixed(f.kind(), f.subject(), true, f.fix().apply());
    } catch (IdemException e) {
      return new Fixed(
          f.kind(), f.subject(), false, e.getMessage().replaceAll("\\s*\\R\\s*", " ").strip());
    }
  }

  private record Fixed(String kind, String subject, boolean done, String outcome) {}

  private static String json(
      String pipeline, String destination, int exit, List<Fixed> fixed, List<Finding> found) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", pipeline);
    doc.put("destination", destination);
    doc.put("exit_code", exit);
    List<Map<String, Object>> fixes = new ArrayList<>();
    for (Fixed f : fixed) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", f.kind());
      m.put("subject", f.subject());
      m.put("fixed", f.done());
      m.put("outcome", f.outcome());
      fixes.add(m);
    }
    doc.put("fixes", fixes);
    List<Map<String, Object>> findings = new ArrayList<>();
    for (Finding f : found) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", f.kind());
      m.put("subject", f.subject());
      m.put("fixable", f.fixable());
      m.put("description", f.description());
      findings.add(m);
    }
    doc.put("findings", findings);
    return ReportView.write(doc);
  }

  /** The findings, and a notify: hook's held notifications, one finding each. */
  private static List<Finding> withHeldNotifications(
      PipelineDefinition definition, Destination destination, List<Finding> found) {
    if (definition.notifier() == null) {
      return found;
    }
    List<Finding> out = new ArrayList<>(found);
    for (String h : definition.notifier().held(destination, definition.pipeline().name())) {
      out.add(
          Finding.report(
              "notification_of_unknown_outcome",
              h.substring(0, h.indexOf(':')),
              h
                  + ": sent, never acknowledged, past the key's lifetime; idem resolve --request"
                  + " KEY --as sent|not-sent decides"));
    }
    return out;
  }
}
