package dev.idem.cli;

import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsChecks;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowSchema;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.notify.SupportsOutbox;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code idem status}: the ledger's windows of a pipeline, one line each. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_DONE, ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE},
    description = {
      "Show a pipeline's ledger, one line per window.",
      "Each line: status, the worst result of its reconciliation checks (pass, warn, fail; recorded when it loaded and by idem check),"
          + " counts, input fingerprint, the input's schema fingerprint and its drift from the"
          + " declared columns (schema_drift), finish time and last error. Statuses: done, failed, running,"
          + " or stale (a running window whose lease has expired or whose runner is gone); a running or stale"
          + " window names its runner, since when it holds it, and whether that runner is alive.",
      "A DuckDB destination that does not exist yet is not created: the pipeline has never run."
    })
final class StatusCommand extends PipelineCommand {
  private static final int SHORT_HASH = 8;

  /**
   * A destination that does not exist yet (a missing DuckDB file) is not created: the pipeline has
   * never run.
   */
  @Override
  Integer withoutOpening(PipelineDefinition definition) {
    return neverRan(
        definition,
        () ->
            json(
                definition.pipeline().name(),
                definition.destination().describe(),
                List.of(),
                Map.of(),
                Map.of(),
                Instant.EPOCH));
  }

  @Override
  int execute(PipelineDefinition definition, Destination destination, RunServices services) {
    String name = definition.pipeline().name();
    destination.prepare(definition.pipeline());
    List<WindowState> states = destination.ledger().states(name);
    List<CheckResult> checks = destination instanceof SupportsChecks c ? c.checks(name) : List.of();
    Map<String, List<CheckResult>> byWindow = new LinkedHashMap<>();
    checks.forEach(r -> byWindow.computeIfAbsent(r.windowId(), w -> new ArrayList<>()).add(r));
    Instant now = services.clock().instant();
    Map<String, Boolean> alive = new LinkedHashMap<>();
    for (WindowState s : states) {
      if (s.status() == WindowStatus.RUNNING) {
        alive.put(s.windowId(), destination.ledger().alive(s.owner()));
      }
    }
    if (output.json()) {
      idem.println(json(name, definition.destination().describe(), states, byWindow, alive, now));
      return ExitCode.OK;
    }
    if (states.isEmpty()) {
      idem.println(
          "pipeline "
              + name
              + ": no windows in the ledger of "
              + definition.destination().describe());
      return ExitCode.OK;
    }
    // a stream window (orders-0@1000) also shows where its input ended: the next window's start
    boolean stream = states.stream().anyMatch(s -> s.sourcePosition() != null);
    TextTable table =
        stream
            ? new TextTable(
                "window",
                ">ends at",
                "status",
                "check",
                ">read",
                ">written (ins/upd)",
                ">folded",
                ">dead-lettered",
                ">target rows",
                "fingerprint",
                "schema",
                "finished at",
                "error")
            : new TextTable(
                "window",
                "status",
                "check",
                ">read",
                ">written (ins/upd)",
                ">folded",
                ">dead-lettered",
                ">target rows",
                "fingerprint",
                "schema",
                "finished at",
                "error");
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    for (WindowState s : states) {
      WindowCounts c = s.counts();
      String status = status(s, alive, now);
      byStatus.merge(status, 1, Integer::sum);
      List<Object> cells =
          new ArrayList<>(
              List.of(
                  s.windowId(),
                  status,
                  worst(byWindow.get(s.windowId())),
                  c.read(),
                  c.written() + " (" + c.inserted() + "/" + c.updated() + ")",
                  c.folded(),
                  c.deadLettered(),
                  c.targetRows(),
                  shortFingerprint(s.fingerprint()),
                  schema(s.schema()),
                  s.finishedAt() == null ? "" : s.finishedAt().truncatedTo(ChronoUnit.SECONDS),
                  alive.containsKey(s.windowId())
                      ? holder(s, alive.get(s.windowId()), now)
                      : s.error() == null ? "" : s.error()));
      if (stream) {
        cells.add(1, s.sourcePosition() == null ? "" : s.sourcePosition());
      }
      table.row(cells.toArray());
    }
    table.lines().forEach(idem::println);
    List<String> parts = new ArrayList<>();
    byStatus.forEach((k, v) -> parts.add(v + " " + k));
    idem.println(
        states.size()
            + " window"
            + (states.size() == 1 ? "" : "s")
            + ": "
            + String.join(", ", parts)
            + " (pipeline "
            + name
            + ")");
    long nulled = states.stream().mapToLong(s -> s.counts().valuesNulled()).sum();
    if (nulled > 0) {
      idem.println(
          "values nulled (on_bad_value null): "
              + nulled
              + " in "
              + states.stream().filter(s -> s.counts().valuesNulled() > 0).count()
              + " window(s) (idem dlq nulled "
              + file
              + ")");
    }
    for (CheckResult r : byWindow.getOrDefault(CheckResult.TABLE, List.of())) {
      idem.println(
          "table check " + r.check().label() + ": " + r.status().label() + ": " + r.detail());
    }
    List<String> failing =
        checks.stream()
            .filter(r -> r.status() != CheckStatus.PASS && !r.tableWide())
            .map(r -> r.windowId() + " " + r.check().label())
            .toList();
    if (!failing.isEmpty()) {
      idem.println(
          "checks not passing: "
              + String.join(", ", failing)
              + " (details: idem check "
              + file
              + ")");
    }
    if (definition.notifier() != null && destination instanceof SupportsOutbox outbox) {
      List<String> held = definition.notifier().held(destination, name);
      int undelivered = outbox.undelivered(name).size() - held.size();
      if (undelivered > 0) {
        idem.println(
            "notifications not delivered yet: " + undelivered + " (the next run sends them)");
      }
      if (!held.isEmpty()) {
        idem.println(
            "notifications held as of unknown outcome: "
                + held.size()
                + " (never sent again until idem resolve "
                + file
                + " --request KEY --as sent|not-sent)");
        held.forEach(h -> idem.println("  " + h));
      }
    }
    return ExitCode.OK;
  }

  /**
   * A running window is stale when its lease expired or its runner is gone: the next run takes it
   * over.
   */
  private static String status(WindowState s, Map<String, Boolean> alive, Instant now) {
    return s.stale(now) || Boolean.FALSE.equals(alive.get(s.windowId()))
        ? "stale"
        : s.displayStatus(now);
  }

  /**
   * Who holds a running window, for how long, and whether it is alive: {@code held by
   * 123:host:ab12/cd34.1 for 2m 5s, alive}.
   */
  private static String holder(WindowState s, boolean alive, Instant now) {
    String since = s.startedAt() == null ? "" : " for " + age(Duration.between(s.startedAt(), now));
    return "held by "
        + s.owner()
        + since
        + (alive ? ", alive" : ", gone: the next run takes it over");
  }

  private static String age(Duration d) {
    long seconds = Math.max(0, d.toSeconds());
    return seconds < 60
        ? seconds + "s"
        : seconds < 3600
            ? seconds / 60 + "m " + seconds % 60 + "s"
            : seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
  }

  /** The worst status of a window's recorded checks, lowercase; empty when none was recorded. */
  private static String worst(List<CheckResult> results) {
    return results == null ? "" : CheckStatus.worst(results).map(CheckStatus::label).orElse("");
  }

  /**
   * The schema fingerprint's first characters, then the drift and what discard dropped: {@code
   * 1a2b3c4d added: discount (1 column, 12 values discarded)}.
   */
  private static String schema(WindowSchema schema) {
    if (schema == null) {
      return "";
    }
    String text =
        schema.fingerprint().substring(0, Math.min(SHORT_HASH, schema.fingerprint().length()));
    if (schema.drift() != null) {
      text += " " + schema.drift();
    }
    if (schema.columnsDiscarded() > 0) {
      text +=
          " ("
              + schema.columnsDiscarded()
              + " column"
              + (schema.columnsDiscarded() == 1 ? "" : "s")
              + ", "
              + schema.valuesDiscarded()
              + " value"
              + (schema.valuesDiscarded() == 1 ? "" : "s")
              + " discarded)";
    }
    return text;
  }

  /** Keeps a fingerprint's readable prefix ({@code rows:13:}) and 8 characters of its hash. */
  private static String shortFingerprint(String fp) {
    if (fp == null) {
      return "";
    }
    int hash = fp.lastIndexOf(':') + 1;
    return fp.length() - hash <= SHORT_HASH ? fp : fp.substring(0, hash + SHORT_HASH);
  }

  private static String json(
      String name,
      String destination,
      List<WindowState> states,
      Map<String, List<CheckResult>> checks,
      Map<String, Boolean> alive,
      Instant now) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("pipeline", name);
    doc.put("destination", destination);
    List<Map<String, Object>> windows = new ArrayList<>();
    for (WindowState s : states) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("window", s.windowId());
      w.put("status", status(s, alive, now));
      List<CheckResult> own = checks.getOrDefault(s.windowId(), List.of());
      w.put("check", CheckStatus.worst(own).map(CheckStatus::label).orElse(null));
      w.put("checks", own.stream().map(CheckCommand::json).toList());
      w.putAll(s.counts().byName());
      w.put("fingerprint", s.fingerprint());
      w.put("source_position", s.sourcePosition());
      if (s.schema() != null) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("fingerprint", s.schema().fingerprint());
        schema.put("drift", s.schema().drift());
        schema.put("columns_discarded", s.schema().columnsDiscarded());
        schema.put("values_discarded", s.schema().valuesDiscarded());
        w.put("schema", schema);
      } else {
        w.put("schema", null);
      }
      w.put("definition_hash", s.definitionHash());
      w.put("run_id", s.runId());
      w.put("pipeline_version", s.pipelineVersion());
      w.put("attempts", s.attempts());
      w.put("owner", s.owner());
      w.put("owner_alive", alive.get(s.windowId()));
      w.put("lease_expires", s.leaseExpires() == null ? null : s.leaseExpires().toString());
      w.put("started_at", s.startedAt() == null ? null : s.startedAt().toString());
      w.put("finished_at", s.finishedAt() == null ? null : s.finishedAt().toString());
      w.put("error", s.error());
      windows.add(w);
    }
    doc.put("windows", windows);
    doc.put(
        "table_checks",
        checks.getOrDefault(CheckResult.TABLE, List.of()).stream()
            .map(CheckCommand::json)
            .toList());
    return ReportView.write(doc);
  }
}
